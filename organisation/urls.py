from django.urls import path

from organisation import views

app_name = "organisation"

urlpatterns = [
    path("towns/", views.TownListView.as_view(), name="town_list"),
    path("towns/<int:pk>/", views.TownDetailView.as_view(), name="town_detail"),
    path("villages/", views.VillageListView.as_view(), name="village_list"),
    path("villages/<int:pk>/", views.VillageDetailView.as_view(), name="village_detail"),
    path("villages/<int:pk>/edit/", views.VillageUpdateView.as_view(), name="village_update"),
]
