"""Point 18's pages: the responsibility rules, who holds which responsibility, the training sessions with their
attendance, and who has had no training this year."""

from pathlib import PurePath

from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from households.models import Cadre
from households.permissions import households_scope
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.forms import query_year
from organisation.models import Town, Village
from organisation.scoping import Access
from organisation.sorting import SortColumn
from organisation.steps import ServiceActionView
from partners import forms
from partners.choices import ResponsibilityLevel, TrainingTopic
from partners.models import Department, ResponsibilityRules, TrainingAttendance, TrainingSession
from partners.permissions import (
    RESPONSIBILITY_KEEPERS,
    RULES_KEEPERS,
    TRAINING_KEEPERS,
    TRAINING_READERS,
    may_keep_responsibilities,
    may_keep_rules,
    may_keep_trainings,
    partners_scope,
)
from partners.selectors import people as selectors
from partners.services import training as services
from partners.views.base import Cell, Column, PartnersFormView, PartnersListView


class ResponsibilityListView(PartnersListView):
    title = gettext_lazy("Responsibilities")
    search_placeholder = gettext_lazy("Holder, duty, town, village, cadre or department")
    testid = "responsibility-table"
    template_name = "partners/responsibility_list.html"
    sort_columns = (SortColumn("level", ("level", "town__code")), SortColumn("holder", ("holder",)))
    columns = (
        Column(gettext_lazy("level"), "level"),
        Column(gettext_lazy("holder"), "holder"),
        Column(gettext_lazy("Where")),
        Column(gettext_lazy("duty")),
    )

    def rows(self):
        level = self.request.GET.get("level", "")
        return selectors.responsibility_list(user=self.request.user, query=self.query(), level=level)

    def filters(self):
        return [{"name": "level", "label": _("Every level"), "options": ResponsibilityLevel.choices}]

    def cells(self, record):
        where = record.department or record.cadre or record.village or record.town or _("District")
        if record.village:
            where = f"{record.town.name} {record.village.name}"
        return [Cell(record.get_level_display()), Cell(record.holder), Cell(where), Cell(record.duty)]

    def actions(self):
        user, actions = self.request.user, []
        if may_keep_responsibilities(user):
            actions.append((_("Record a responsibility"), reverse("partners:responsibility_add")))
        if may_keep_rules(user):
            actions.append((_("Issue the responsibility rules"), reverse("partners:rules_add")))
        return actions

    def get_context_data(self, **kwargs):
        return super().get_context_data(rules=selectors.rules_list(user=self.request.user)[:5], **kwargs)


class RulesAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = RULES_KEEPERS
    form_class = forms.RulesForm
    title = gettext_lazy("Issue the responsibility rules")
    success_message = gettext_lazy("The responsibility rules are issued.")
    date_fields = ("issued_on",)

    def perform(self, **data):
        return services.responsibility_rules_issue(user=self.request.user, **data)

    def get_success_url(self):
        return reverse("partners:responsibility_list")


class RulesDocumentView(ScopedMixin, View):
    """The rules' document, read through the scope (never served as a static file)."""

    scope = staticmethod(partners_scope)

    def get(self, request, pk):
        rules = get_object_or_404(partners_scope(request.user, Access.VIEW, ResponsibilityRules.objects.all()), pk=pk)
        if not rules.document:
            raise Http404
        return FileResponse(rules.document.open("rb"), as_attachment=True, filename=PurePath(rules.document.name).name)


class ResponsibilityAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = RESPONSIBILITY_KEEPERS
    form_class = forms.ResponsibilityForm
    title = gettext_lazy("Record a responsibility")
    success_message = gettext_lazy("The responsibility is recorded.")

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "towns": partners_scope(user, Access.CHANGE, Town.objects.all()).order_by("code"),
            "villages": partners_scope(user, Access.CHANGE, Village.objects.select_related("town")).order_by("code"),
            "cadres": households_scope(user, Access.VIEW, Cadre.objects.all()).order_by("name"),
            "departments": partners_scope(user, Access.VIEW, Department.objects.all()),
        }

    def perform(self, **data):
        return services.responsibility_assign(user=self.request.user, **data)

    def get_success_url(self):
        return reverse("partners:responsibility_list")


class TrainingListView(PartnersListView):
    title = gettext_lazy("Training sessions")
    search_placeholder = gettext_lazy("Title, place or town")
    testid = "training-table"
    sort_columns = (SortColumn("held_on", ("held_on",)), SortColumn("topic", ("topic", "held_on")))
    columns = (
        Column(gettext_lazy("held on"), "held_on"),
        Column(gettext_lazy("title")),
        Column(gettext_lazy("level")),
        Column(gettext_lazy("topic"), "topic"),
        Column(gettext_lazy("place")),
    )

    def rows(self):
        return selectors.training_list(
            user=self.request.user,
            query=self.query(),
            year=query_year(self.request.GET),
            topic=self.request.GET.get("topic", ""),
        )

    def filters(self):
        years = [(str(year), year) for year in range(timezone.localdate().year, 2017, -1)]
        return [
            {"name": "year", "label": _("Every year"), "options": years},
            {"name": "topic", "label": _("Every topic"), "options": TrainingTopic.choices},
        ]

    def cells(self, record):
        level = record.town.name if record.town else record.get_level_display()
        return [
            Cell(record.held_on.isoformat()),
            Cell(record.title, record.get_absolute_url()),
            Cell(level),
            Cell(record.get_topic_display()),
            Cell(record.place or "—"),
        ]

    def actions(self):
        actions = []
        if UntrainedView.may_open(self.request.user):
            actions.append((_("Who has had no training this year"), reverse("partners:untrained")))
        if may_keep_trainings(self.request.user):
            actions.append((_("Record a training"), reverse("partners:training_add")))
        return actions


class TrainingAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = TRAINING_KEEPERS
    form_class = forms.TrainingForm
    title = gettext_lazy("Record a training")
    success_message = gettext_lazy("The training is recorded.")
    date_fields = ("held_on",)

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "towns": partners_scope(user, Access.CHANGE, Town.objects.all()).order_by("code"),
            "staff": selectors.staff_in_reach(user=user).order_by("username"),
            "cadres": households_scope(user, Access.VIEW, Cadre.objects.all()).order_by("name"),
        }

    def perform(self, **data):
        return services.training_record(user=self.request.user, **data)


class TrainingDetailView(ScopedMixin, DetailView):
    scope = staticmethod(partners_scope)
    template_name = "partners/training_detail.html"

    def get_queryset(self):
        return partners_scope(self.request.user, Access.VIEW, TrainingSession.objects.select_related("town"))

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_change = partners_scope(user, Access.CHANGE, TrainingSession.objects.filter(pk=self.object.pk)).exists()
        return super().get_context_data(
            attendance=selectors.training_attendance(user=user, session=self.object),
            may_change=may_change and may_keep_trainings(user),
            **kwargs,
        )


class AttendanceMarkView(RoleRequiredMixin, ServiceActionView):
    allowed_roles = TRAINING_KEEPERS
    form_class = forms.AttendanceForm

    def perform(self, attended):
        queryset = partners_scope(self.request.user, Access.CHANGE, TrainingAttendance.objects.all())
        self.attendance = get_object_or_404(queryset, pk=self.kwargs["pk"])
        return services.attendance_mark(user=self.request.user, attendance=self.attendance, attended=attended)

    def get_success_message(self, result):
        return _("The attendance is corrected.")

    def get_success_url(self):
        return self.result.session.get_absolute_url()

    def get_refused_url(self):
        return reverse("partners:training_list")


class UntrainedView(RoleRequiredMixin, PartnersListView):
    """Staff and assistance cadres the user reaches who attended no training this year."""

    allowed_roles = TRAINING_READERS
    testid = "untrained-table"
    search_placeholder = gettext_lazy("Name or unit")
    columns = (Column(gettext_lazy("name"), "name"), Column(gettext_lazy("work unit")), Column(gettext_lazy("Where")))

    @property
    def title(self):
        return _("Who has had no training in %(year)s") % {"year": timezone.localdate().year}

    def cadres_shown(self) -> bool:
        return self.request.GET.get("who") == "cadres"

    @property
    def sort_columns(self):
        return (SortColumn("name", ("name",) if self.cadres_shown() else ("last_name", "first_name", "username")),)

    def rows(self):
        user, year, query = self.request.user, timezone.localdate().year, self.query().strip()
        if self.cadres_shown():
            cadres = selectors.untrained_cadres(user=user, year=year)
            return cadres.filter(Q(name__icontains=query) | Q(work_unit__icontains=query)) if query else cadres
        staff = selectors.untrained_staff(user=user, year=year).select_related(
            "staff_post__town", "staff_post__village__town"
        )
        if query:
            staff = staff.filter(
                Q(username__icontains=query)
                | Q(last_name__icontains=query)
                | Q(first_name__icontains=query)
                | Q(staff_post__work_unit__icontains=query)
            )
        return staff

    def filters(self):
        return [{"name": "who", "label": _("Staff"), "options": [("cadres", _("Assistance cadres"))]}]

    def cells(self, record):
        if isinstance(record, Cadre):
            return [Cell(record.name), Cell(record.work_unit), Cell("—")]
        post = record.staff_post
        where = post.village or post.town or _("District")
        return [Cell(record.get_full_name() or record.username), Cell(post.work_unit or "—"), Cell(where)]


urlpatterns = [
    path("responsibilities/", ResponsibilityListView.as_view(), name="responsibility_list"),
    path("responsibilities/new/", ResponsibilityAddView.as_view(), name="responsibility_add"),
    path("rules/new/", RulesAddView.as_view(), name="rules_add"),
    path("rules/<int:pk>/document/", RulesDocumentView.as_view(), name="rules_document"),
    path("trainings/", TrainingListView.as_view(), name="training_list"),
    path("trainings/new/", TrainingAddView.as_view(), name="training_add"),
    path("trainings/<int:pk>/", TrainingDetailView.as_view(), name="training_detail"),
    path("attendance/<int:pk>/", AttendanceMarkView.as_view(), name="attendance_mark"),
    path("trainings/untrained/", UntrainedView.as_view(), name="untrained"),
]
