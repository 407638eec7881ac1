from reporting.views import dashboards, reports, village

app_name = "reporting"

# Each area of the figures declares its own routes next to its views.
urlpatterns = [
    *dashboards.urlpatterns,
    *reports.urlpatterns,
    *village.urlpatterns,
]
