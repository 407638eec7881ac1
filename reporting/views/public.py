"""The page without login (points 2, 4 and 15): the district's progress figures, projects under publicity, and
operating projects' income distribution.

It is meant to face the internet: GET only, no login, no link into the application. It is rendered without the
request's context (no user, session, messages or CSRF token reach the template) from the plain values the public
selectors return, which hold no person's name (only masked), no ID number and no record id; the figures are the
district's and its towns' only (``reporting.public_figures``), never a village's.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.vary import vary_on_headers
from django.views.generic import TemplateView

from projects.selectors.projects import public_income, public_notices
from reporting.public_figures import public_figures, public_partners

PUBLIC_PAGE_SIZE = 20
# Shared caches may keep the page a few minutes; it changes when a publicity opens, income is distributed or the
# figures are recomputed.
PUBLIC_CACHE_SECONDS = 300


@method_decorator(vary_on_headers("Accept-Language"), name="dispatch")
@method_decorator(cache_control(public=True, max_age=PUBLIC_CACHE_SECONDS), name="dispatch")
class PublicIndexView(TemplateView):
    public_page = True
    http_method_names = ["get"]
    template_name = "public/index.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        today = timezone.localdate()
        return {
            "figures": public_figures(today=today),
            "notices": public_notices(today=today, page=params.get("publicity_page"), per_page=PUBLIC_PAGE_SIZE),
            "income": public_income(page=params.get("income_page"), per_page=PUBLIC_PAGE_SIZE),
            "partners": public_partners(),
            "today": today,
        }

    def render_to_response(self, context, **response_kwargs):
        return HttpResponse(render_to_string(self.get_template_names(), context), **response_kwargs)


urlpatterns = [path("", PublicIndexView.as_view(), name="public_index")]
