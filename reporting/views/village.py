"""The village page (issue 13, role-tailored pages): its households, transfers, projects, ledger items and open
data-quality problems, each a count, the latest few and a link to the filtered list. A village outside the user's
reach is a 404 (``villages_scope``)."""

from django.urls import path
from django.views.generic import DetailView

from reporting.selectors.village import village_overview
from reporting.views.dashboards import UnitPageMixin, VillagePage


class VillageOverviewView(VillagePage, UnitPageMixin, DetailView):
    template_name = "reporting/village.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.name_post_unit(self.object)
        context["blocks"] = village_overview(user=self.request.user, village=self.object)
        return context


urlpatterns = [
    path("villages/<int:pk>/overview/", VillageOverviewView.as_view(), name="village_overview"),
]
