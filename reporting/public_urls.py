from reporting.views import public

# The page without login (progress figures, publicity and income distribution): its own namespace, nothing else in it.
app_name = "public"
urlpatterns = public.urlpatterns
