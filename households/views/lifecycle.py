urlpatterns = []
detail_sections = []
