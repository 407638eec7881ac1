from projects.views import public

# The page without login (publicity and income distribution): its own namespace, nothing else in it.
app_name = "public"
urlpatterns = public.urlpatterns
