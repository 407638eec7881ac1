from django.urls import path  # noqa: F401  (each area adds its pages below)

from audits.views.imports import urlpatterns as import_urls
from audits.views.ledger import urlpatterns as ledger_urls
from audits.views.plans import urlpatterns as plan_urls
from audits.views.supervision import urlpatterns as supervision_urls

app_name = "audits"

urlpatterns: list = [*ledger_urls, *import_urls, *supervision_urls, *plan_urls]
