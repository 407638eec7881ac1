from partners.views import evaluations

# The public's evaluation form (社会监督评议): a page without login that takes a POST, in a namespace of its own.
app_name = "public_forms"
urlpatterns = evaluations.public_urlpatterns
