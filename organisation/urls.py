from django.urls import path

from organisation import calendar_views, export_views, views

app_name = "organisation"

urlpatterns = [
    path("towns/", views.TownListView.as_view(), name="town_list"),
    path("towns/<int:pk>/", views.TownDetailView.as_view(), name="town_detail"),
    path("villages/", views.VillageListView.as_view(), name="village_list"),
    path("villages/<int:pk>/", views.VillageDetailView.as_view(), name="village_detail"),
    path("villages/<int:pk>/edit/", views.VillageUpdateView.as_view(), name="village_update"),
    path("calendar/", calendar_views.CalendarOverviewView.as_view(), name="calendar"),
    path("calendar/<int:year>/", calendar_views.CalendarYearView.as_view(), name="calendar_year"),
    path("calendar/<int:year>/load/", calendar_views.CalendarYearLoadView.as_view(), name="calendar_year_load"),
    path("calendar/<int:year>/days/add/", calendar_views.CalendarDayCreateView.as_view(), name="calendar_day_add"),
    path("calendar/days/<int:pk>/edit/", calendar_views.CalendarDayUpdateView.as_view(), name="calendar_day_update"),
    path("calendar/days/<int:pk>/delete/", calendar_views.CalendarDayDeleteView.as_view(), name="calendar_day_delete"),
    *export_views.urlpatterns,
]
