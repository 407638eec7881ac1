"""Point 16's social forces and their contributions, and point 17's Poverty Alleviation Day activities and
commendations."""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.forms import query_year
from organisation.models import Town, Village
from organisation.money import money_text
from organisation.scoping import Access
from organisation.sorting import SortColumn
from organisation.steps import ServiceActionView
from partners import forms
from partners.choices import CommendationStatus, ContributionKind, ForceKind
from partners.models import Commendation, SocialForce
from partners.permissions import (
    COMMENDATION_APPROVERS,
    FORCE_REGISTRARS,
    HONOURS_KEEPERS,
    NOMINATORS,
    VILLAGE_RECORDERS,
    may_approve_commendations,
    may_keep_honours,
    may_nominate,
    may_record_in_villages,
    may_register_forces,
    partners_scope,
)
from partners.rules import phone_mask
from partners.selectors import people as selectors
from partners.services import forces as services
from partners.services import honours
from partners.views.base import Cell, Column, PartnersFormView, PartnersListView


class ForceListView(PartnersListView):
    title = gettext_lazy("Social forces")
    search_placeholder = gettext_lazy("Name or contact person")
    testid = "force-table"
    sort_columns = (
        SortColumn("name", ("name",)),
        SortColumn("kind", ("kind", "name")),
        SortColumn("money", ("money_total",)),
        SortColumn("hours", ("hours_total",)),
    )
    columns = (
        Column(gettext_lazy("name"), "name"),
        Column(gettext_lazy("kind"), "kind"),
        Column(gettext_lazy("contact person")),
        Column(gettext_lazy("phone")),
        Column(gettext_lazy("Money and goods (yuan)"), "money", end=True),
        Column(gettext_lazy("volunteer hours"), "hours", end=True),
    )

    def rows(self):
        kind = self.request.GET.get("kind", "")
        return selectors.force_list(user=self.request.user, query=self.query(), kind=kind)

    def filters(self):
        return [{"name": "kind", "label": _("Every kind"), "options": ForceKind.choices}]

    def cells(self, record):
        return [
            Cell(record.name, record.get_absolute_url()),
            Cell(record.get_kind_display()),
            Cell(record.contact or "—"),
            Cell(phone_mask(record.phone) or "—"),
            Cell(money_text(record.money_total), end=True),
            Cell(record.hours_total.normalize() if record.hours_total else 0, end=True),
        ]

    def actions(self):
        actions = [(_("Contributions"), reverse("partners:contribution_list"))]
        if may_register_forces(self.request.user):
            actions.append((_("Register a social force"), reverse("partners:force_add")))
        return actions


class ForceAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = FORCE_REGISTRARS
    form_class = forms.SocialForceForm
    title = gettext_lazy("Register a social force")
    success_message = gettext_lazy("The social force is on the register.")

    def perform(self, **data):
        return services.social_force_add(user=self.request.user, **data)


class ForceDetailView(ScopedMixin, DetailView):
    scope = staticmethod(partners_scope)
    template_name = "partners/force_detail.html"

    def get_queryset(self):
        return partners_scope(self.request.user, Access.VIEW, SocialForce.objects.all())

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            phone=phone_mask(self.object.phone),
            contributions=selectors.contribution_list(user=user, force=self.object)[:100],
            may_record=may_record_in_villages(user),
            **kwargs,
        )


class ContributionListView(PartnersListView):
    title = gettext_lazy("Contributions of social forces")
    search_placeholder = gettext_lazy("Social force, description, town or village")
    testid = "contribution-table"
    sort_columns = (
        SortColumn("given_on", ("given_on",)),
        SortColumn("force", ("force__name",)),
        SortColumn("town", ("town__code",)),
        SortColumn("amount", ("amount",)),
        SortColumn("hours", ("hours",)),
    )
    columns = (
        Column(gettext_lazy("given on"), "given_on"),
        Column(gettext_lazy("social force"), "force"),
        Column(gettext_lazy("kind")),
        Column(gettext_lazy("town"), "town"),
        Column(gettext_lazy("village")),
        Column(gettext_lazy("amount or value (yuan)"), "amount", end=True),
        Column(gettext_lazy("volunteer hours"), "hours", end=True),
        Column(gettext_lazy("description")),
    )

    def rows(self):
        kind = self.request.GET.get("kind", "")
        return selectors.contribution_list(user=self.request.user, query=self.query(), kind=kind)

    def filters(self):
        return [{"name": "kind", "label": _("Every kind"), "options": ContributionKind.choices}]

    def cells(self, record):
        return [
            Cell(record.given_on.isoformat()),
            Cell(record.force.name, record.force.get_absolute_url()),
            Cell(record.get_kind_display()),
            Cell(record.town.name),
            Cell(record.village.name if record.village else "—"),
            Cell(money_text(record.amount) if record.amount is not None else "—", end=True),
            Cell(record.hours if record.hours is not None else "—", end=True),
            Cell(record.description or (record.project.name if record.project else "—")),
        ]

    def actions(self):
        if may_record_in_villages(self.request.user):
            return [(_("Record a contribution"), reverse("partners:contribution_add"))]
        return []


class ContributionAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = VILLAGE_RECORDERS
    form_class = forms.ContributionForm
    title = gettext_lazy("Record a contribution")
    success_message = gettext_lazy("The contribution is recorded.")
    date_fields = ("given_on",)

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "forces": partners_scope(user, Access.VIEW, SocialForce.objects.all()).order_by("name"),
            "towns": partners_scope(user, Access.CHANGE, Town.objects.all()).order_by("code"),
            "villages": partners_scope(user, Access.CHANGE, Village.objects.select_related("town")).order_by("code"),
        }

    def get_initial(self):
        initial = super().get_initial()
        if (force := self.request.GET.get("force", "")).isdigit():
            initial["force"] = force
        return initial

    def perform(self, **data):
        return services.contribution_record(user=self.request.user, **data)

    def get_success_url(self):
        return self.result.force.get_absolute_url()


class ActivityListView(PartnersListView):
    title = gettext_lazy("Poverty Alleviation Day (10.17) activities")
    search_placeholder = gettext_lazy("Title or organiser")
    testid = "activity-table"
    sort_columns = (SortColumn("held_on", ("held_on",)), SortColumn("participants", ("participants",)))
    columns = (
        Column(gettext_lazy("held on"), "held_on"),
        Column(gettext_lazy("title")),
        Column(gettext_lazy("organiser")),
        Column(gettext_lazy("participants"), "participants", end=True),
        Column(gettext_lazy("description")),
    )

    def rows(self):
        year_value = query_year(self.request.GET)
        return selectors.activity_list(user=self.request.user, year=year_value, query=self.query())

    def filters(self):
        years = range(timezone.localdate().year, 2013, -1)
        return [{"name": "year", "label": _("Every year"), "options": [(str(year), year) for year in years]}]

    def cells(self, record):
        return [
            Cell(record.held_on.isoformat()),
            Cell(record.title),
            Cell(record.organiser),
            Cell(record.participants, end=True),
            Cell(record.description or "—"),
        ]

    def actions(self):
        if may_keep_honours(self.request.user):
            return [(_("Record an activity"), reverse("partners:activity_add"))]
        return []


class ActivityAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = HONOURS_KEEPERS
    form_class = forms.ActivityForm
    title = gettext_lazy("Record a Poverty Alleviation Day activity")
    success_message = gettext_lazy("The activity is recorded.")
    date_fields = ("held_on",)

    def perform(self, **data):
        return honours.poverty_day_activity_add(user=self.request.user, **data)

    def get_success_url(self):
        return reverse("partners:activity_list")


class CommendationListView(PartnersListView):
    title = gettext_lazy("Commendations")
    search_placeholder = gettext_lazy("Nominee, reason or who nominated")
    testid = "commendation-table"
    template_name = "partners/commendation_list.html"
    sort_columns = (
        SortColumn("year", ("year",)),
        SortColumn("nominee", ("nominee",)),
        SortColumn("status", ("status",)),
    )
    columns = (
        Column(gettext_lazy("year"), "year"),
        Column(gettext_lazy("nominee"), "nominee"),
        Column(gettext_lazy("nominee kind")),
        Column(gettext_lazy("reason")),
        Column(gettext_lazy("nominated by")),
        Column(gettext_lazy("status"), "status"),
    )

    def rows(self):
        status = self.request.GET.get("status", "")
        return selectors.commendation_list(user=self.request.user, query=self.query(), status=status)

    def filters(self):
        return [{"name": "status", "label": _("Every status"), "options": CommendationStatus.choices}]

    def cells(self, record):
        return [
            Cell(record.year),
            Cell(record.nominee),
            Cell(record.get_nominee_kind_display()),
            Cell(record.reason),
            Cell(record.nominated_by),
            Cell(record.get_status_display()),
        ]

    def actions(self):
        if may_nominate(self.request.user):
            return [(_("Nominate for a commendation"), reverse("partners:commendation_add"))]
        return []

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_decide=may_approve_commendations(self.request.user), **kwargs)


class CommendationAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = NOMINATORS
    form_class = forms.CommendationForm
    title = gettext_lazy("Nominate for a commendation")
    success_message = gettext_lazy("The nomination is recorded; the district office decides.")

    def get_initial(self):
        return {**super().get_initial(), "year": timezone.localdate().year}

    def perform(self, **data):
        return honours.commendation_nominate(user=self.request.user, **data)

    def get_success_url(self):
        return reverse("partners:commendation_list")


class CommendationDecideView(RoleRequiredMixin, ServiceActionView):
    allowed_roles = COMMENDATION_APPROVERS
    form_class = forms.DecisionForm

    def perform(self, approve):
        queryset = partners_scope(self.request.user, Access.CHANGE, Commendation.objects.all())
        commendation = get_object_or_404(queryset, pk=self.kwargs["pk"])
        return honours.commendation_decide(user=self.request.user, commendation=commendation, approve=approve)

    def get_success_message(self, result):
        if result.status == CommendationStatus.APPROVED:
            return _("The commendation is approved and published.")
        return _("The nomination is rejected.")

    def get_success_url(self):
        return reverse("partners:commendation_list")


urlpatterns = [
    path("forces/", ForceListView.as_view(), name="force_list"),
    path("forces/new/", ForceAddView.as_view(), name="force_add"),
    path("forces/<int:pk>/", ForceDetailView.as_view(), name="force_detail"),
    path("contributions/", ContributionListView.as_view(), name="contribution_list"),
    path("contributions/new/", ContributionAddView.as_view(), name="contribution_add"),
    path("activities/", ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", ActivityAddView.as_view(), name="activity_add"),
    path("commendations/", CommendationListView.as_view(), name="commendation_list"),
    path("commendations/new/", CommendationAddView.as_view(), name="commendation_add"),
    path("commendations/<int:pk>/decide/", CommendationDecideView.as_view(), name="commendation_decide"),
]
