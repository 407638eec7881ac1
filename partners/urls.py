from partners.views.evaluations import urlpatterns as evaluation_urls
from partners.views.forces import urlpatterns as force_urls
from partners.views.secretaries import urlpatterns as secretary_urls
from partners.views.sectors import urlpatterns as sector_urls
from partners.views.training import urlpatterns as training_urls

app_name = "partners"

urlpatterns: list = [*sector_urls, *secretary_urls, *force_urls, *training_urls, *evaluation_urls]
