from funds.views import chain, findings, loans, overdue, reports

app_name = "funds"

# Each area of the funds app declares its own routes next to its views.
urlpatterns = [
    *chain.urlpatterns,
    *reports.urlpatterns,
    *loans.urlpatterns,
    *overdue.urlpatterns,
    *findings.urlpatterns,
]
