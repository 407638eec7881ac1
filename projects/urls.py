from projects.views import enterprises, income, parks, plans, projects, review, rights

app_name = "projects"

# Each area of the projects app declares its own routes next to its views.
urlpatterns = [
    *projects.urlpatterns,
    *review.urlpatterns,
    *rights.urlpatterns,
    *enterprises.urlpatterns,
    *parks.urlpatterns,
    *income.urlpatterns,
    *plans.urlpatterns,
]
