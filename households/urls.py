from households.views import core, imports, lifecycle, quality, welfare

app_name = "households"

# Each area of the household file declares its own routes next to its views.
urlpatterns = [
    *core.urlpatterns,
    *lifecycle.urlpatterns,
    *welfare.urlpatterns,
    *quality.urlpatterns,
    *imports.urlpatterns,
]
