"""Pages of the industrial parks (point 1): each town's parks and their projects, and the towns with none yet."""

import datetime as dt

from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, TemplateView

from organisation.scoping import Access, may_act, towns_for
from projects import forms_enterprises as forms
from projects.models import IndustrialPark
from projects.permissions import PARK_KEEPERS, projects_scope
from projects.selectors import parks as selectors
from projects.services import parks as services
from projects.views.projects import ProjectsScopedMixin, RecordFormView
from projects.views.rights import RightsStepView


class ParkListView(ProjectsScopedMixin, TemplateView):
    """Each town's parks; ``?as_of=YYYY-MM-DD`` shows the parks as they stood on that day, ``?town=`` one town's."""

    model = IndustrialPark
    template_name = "projects/parks/park_list.html"

    def as_of(self) -> dt.date:
        try:
            value = parse_date(self.request.GET.get("as_of", ""))
        except ValueError:  # well formed but not a real date
            value = None
        return value or timezone.localdate()

    def town(self):
        """The town of ``?town=``, among those the user reaches; none (every town) when absent or not one of them."""
        value = self.request.GET.get("town", "")
        return self.towns().filter(pk=value).first() if value.isdigit() else None

    def towns(self):
        return towns_for(self.request.user).order_by("code")

    def get_context_data(self, **kwargs):
        user = self.request.user
        town = self.town()
        return super().get_context_data(
            overview=selectors.parks_by_town(user, self.as_of(), town=town),
            towns=self.towns(),
            town=town,
            may_add=may_act(user, PARK_KEEPERS),
            **kwargs,
        )


class ParkDetailView(ProjectsScopedMixin, DetailView):
    model = IndustrialPark
    template_name = "projects/parks/park_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("town")

    def get_context_data(self, **kwargs):
        user, park = self.request.user, self.object
        return super().get_context_data(
            projects=list(selectors.park_projects(user, park)),
            may_change=may_act(user, PARK_KEEPERS)
            and projects_scope(user, Access.CHANGE, IndustrialPark.objects.filter(pk=park.pk)).exists(),
            **kwargs,
        )


class ParkFormView(RecordFormView):
    """Add a park (no pk) or change one (pk)."""

    allowed_roles = PARK_KEEPERS
    model = IndustrialPark
    related = ("town",)
    form_class = forms.ParkForm
    template_name = "projects/parks/park_form.html"
    context_object_name = "park"

    def create(self, user, **data):
        return services.park_create(user=user, **data)

    def update(self, user, record, **data):
        return services.park_update(user=user, park=record, **data)


class ParkAssignView(RightsStepView):
    """Put a project in one of its town's parks, or take it out."""

    allowed_roles = PARK_KEEPERS
    form_class = forms.ParkAssignForm
    title = gettext_lazy("Industrial park of the project")
    success_message = gettext_lazy("Industrial park recorded.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parks": selectors.parks_for_project(self.request.user, self.object)}

    def perform(self, *, park):
        services.project_assign_park(user=self.request.user, project=self.object, park=park)


urlpatterns = [
    path("parks/", ParkListView.as_view(), name="park_list"),
    path("parks/new/", ParkFormView.as_view(), name="park_create"),
    path("parks/<int:pk>/", ParkDetailView.as_view(), name="park_detail"),
    path("parks/<int:pk>/edit/", ParkFormView.as_view(), name="park_edit"),
    path("<int:pk>/park/", ParkAssignView.as_view(), name="park_assign"),
]
