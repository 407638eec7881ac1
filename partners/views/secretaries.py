"""Point 15's first secretaries and village work teams, and the poor villages without a serving first secretary."""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.models import Village
from organisation.scoping import Access
from organisation.sorting import SortColumn
from organisation.steps import StepFormView
from partners import forms
from partners.models import FirstSecretary
from partners.permissions import VILLAGE_RECORDERS, may_record_in_villages, partners_scope
from partners.rules import phone_mask
from partners.selectors import people as selectors
from partners.services import secretaries as services
from partners.views.base import Cell, Column, PartnersFormView, PartnersListView


class SecretaryListView(PartnersListView):
    title = gettext_lazy("First secretaries")
    search_placeholder = gettext_lazy("Name, unit, village or town")
    testid = "secretary-table"
    sort_columns = (
        SortColumn("name", ("name",)),
        SortColumn("village", ("village__town__code", "village__code")),
        SortColumn("starts_on", ("starts_on",)),
    )
    columns = (
        Column(gettext_lazy("name"), "name"),
        Column(gettext_lazy("work unit")),
        Column(gettext_lazy("post")),
        Column(gettext_lazy("village"), "village"),
        Column(gettext_lazy("from"), "starts_on"),
        Column(gettext_lazy("to")),
    )

    def rows(self):
        serving = timezone.localdate() if self.request.GET.get("serving") == "1" else None
        return selectors.secretary_list(user=self.request.user, query=self.query(), serving=serving)

    def filters(self):
        return [{"name": "serving", "label": _("All terms"), "options": [("1", _("Serving today"))]}]

    def cells(self, record):
        return [
            Cell(record.name, record.get_absolute_url()),
            Cell(record.unit),
            Cell(record.post),
            Cell(f"{record.village.town.name} {record.village.name}"),
            Cell(record.starts_on.isoformat()),
            Cell(record.ends_on.isoformat() if record.ends_on else "—"),
        ]

    def actions(self):
        actions = [(_("Villages without a first secretary"), reverse("partners:villages_without_secretary"))]
        if may_record_in_villages(self.request.user):
            actions.append((_("Appoint a first secretary"), reverse("partners:secretary_add")))
        return actions


class SecretaryAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = VILLAGE_RECORDERS
    form_class = forms.SecretaryForm
    title = gettext_lazy("Appoint a first secretary")
    success_message = gettext_lazy("The first secretary is recorded.")
    date_fields = ("starts_on",)

    def get_form_kwargs(self):
        villages = partners_scope(self.request.user, Access.CHANGE, Village.objects.select_related("town"))
        return {**super().get_form_kwargs(), "villages": villages.order_by("code")}

    def get_initial(self):
        initial = super().get_initial()
        if (village := self.request.GET.get("village", "")).isdigit():
            initial["village"] = village
        return initial

    def perform(self, **data):
        return services.secretary_appoint(user=self.request.user, **data)


class SecretaryDetailView(ScopedMixin, DetailView):
    scope = staticmethod(partners_scope)
    template_name = "partners/secretary_detail.html"

    def get_queryset(self):
        return partners_scope(self.request.user, Access.VIEW, FirstSecretary.objects.select_related("village__town"))

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_change = partners_scope(user, Access.CHANGE, FirstSecretary.objects.filter(pk=self.object.pk)).exists()
        team = [(member, phone_mask(member.phone)) for member in self.object.team.all()]
        return super().get_context_data(
            phone=phone_mask(self.object.phone),
            team=team,
            may_change=may_change and may_record_in_villages(user),
            **kwargs,
        )


class SecretaryStepMixin(RoleRequiredMixin):
    allowed_roles = VILLAGE_RECORDERS

    def get_queryset(self):
        return partners_scope(self.request.user, Access.CHANGE, FirstSecretary.objects.select_related("village__town"))

    def facts(self):
        secretary = self.object
        return [
            (_("village"), f"{secretary.village.town.name} {secretary.village.name}"),
            (_("from"), secretary.starts_on.isoformat()),
        ]


class TeamMemberAddView(SecretaryStepMixin, StepFormView):
    form_class = forms.TeamMemberForm
    title = gettext_lazy("Add a member of the work team")
    success_message = gettext_lazy("The member is on the work team.")

    def perform(self, **data):
        return services.team_member_add(user=self.request.user, secretary=self.object, **data)


class TermEndView(SecretaryStepMixin, StepFormView):
    form_class = forms.EndForm
    title = gettext_lazy("End the first secretary's term")
    success_message = gettext_lazy("The term has ended.")
    date_fields = ("ends_on",)
    shows_history = True

    def perform(self, **data):
        return services.secretary_term_end(user=self.request.user, secretary=self.object, **data)


class VillagesWithoutSecretaryView(PartnersListView):
    """The key (poor) villages without a first secretary serving today: the district sees all, a town its own."""

    title = gettext_lazy("Villages without a first secretary")
    search_placeholder = gettext_lazy("Village or town")
    testid = "villages-without-secretary"
    sort_columns = (SortColumn("village", ("town__code", "code")), SortColumn("town", ("town__name", "code")))
    columns = (Column(gettext_lazy("village"), "village"), Column(gettext_lazy("town"), "town"), Column(""))

    def rows(self):
        return selectors.villages_without_secretary(
            user=self.request.user, day=timezone.localdate(), query=self.query()
        )

    def cells(self, record):
        add = reverse("partners:secretary_add") + f"?village={record.pk}"
        return [
            Cell(record.name, reverse("partners:village_partners", args=[record.pk])),
            Cell(record.town.name),
            Cell(_("Appoint a first secretary"), add) if may_record_in_villages(self.request.user) else Cell(""),
        ]


urlpatterns = [
    path("secretaries/", SecretaryListView.as_view(), name="secretary_list"),
    path("secretaries/new/", SecretaryAddView.as_view(), name="secretary_add"),
    path("secretaries/<int:pk>/", SecretaryDetailView.as_view(), name="secretary_detail"),
    path("secretaries/<int:pk>/team/", TeamMemberAddView.as_view(), name="team_member_add"),
    path("secretaries/<int:pk>/end/", TermEndView.as_view(), name="secretary_end"),
    path("secretaries/missing/", VillagesWithoutSecretaryView.as_view(), name="villages_without_secretary"),
]
