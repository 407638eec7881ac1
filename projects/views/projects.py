"""Pages of industry projects (points 1-3): the list, a project's page, proposal and change, entering an existing
project, and the lifecycle moves.

Records come from ``projects_scope``: a project outside the user's reach is a 404. A page that changes something is
a 403 for a role that does not do that step, whatever the record; the step itself is the service's, and a rule it
refuses shows on the form. Requests run in one transaction (``ATOMIC_REQUESTS``), so a refused step leaves nothing
written.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.roles import Role
from organisation.scoping import Access, may_act, village_filter_choices
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView, StepFormView
from projects import forms
from projects.models import IndustryProject, ProjectStatus
from projects.permissions import DISTRICT_DECIDERS, EXISTING_RECORDERS, PROJECT_MANAGERS, projects_scope
from projects.selectors import projects as selectors
from projects.services import lifecycle, proposals
from projects.services.lifecycle import MOVES

PAGE_SIZE = 25
# The sections other areas of the app add to a project's page, shown where their template exists.
PROJECT_SECTIONS = ("projects/rights/project_section.html", "projects/income/project_section.html")


class ProjectsScopedMixin(ScopedMixin):
    """Records of ``model`` from ``projects_scope`` with ``access`` (set it to change for the pages that write),
    with the relations named in ``related`` joined."""

    scope = staticmethod(projects_scope)
    model = IndustryProject
    related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.model._default_manager.all()
        if self.related:
            queryset = queryset.select_related(*self.related)
        return projects_scope(self.request.user, self.access, queryset)


class RecordStepView(ProjectsScopedMixin, StepFormView):
    """A step on one record: 404 outside the user's reach (change access), 403 for a role that does not do it.

    Subclasses set ``model`` (default: the project), ``allowed_roles``, ``form_class``, ``title`` and
    ``success_message``, and do the step through its service in ``perform``.
    """

    access = Access.CHANGE
    allowed_roles: frozenset[Role] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        # The role first: a post that never does this step is refused whatever the record.
        if request.user.is_authenticated and not may_act(request.user, self.roles()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def roles(self) -> frozenset[Role]:
        return self.allowed_roles


class RecordFormView(RoleRequiredMixin, ProjectsScopedMixin, ServiceFormView):
    """Add a record (no pk) or change one (pk) through its services: ``create(user, **data)`` and
    ``update(user, record, **data)``. ``may_change`` refuses a record the user reaches but may not change."""

    access = Access.CHANGE
    context_object_name = "object"

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        record = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not self.may_change(record):
            raise PermissionDenied
        return record

    def may_change(self, record) -> bool:
        return True

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_object_name: self.object}, **kwargs)

    def perform(self, **data):
        if self.object is None:
            return self.create(self.request.user, **data)
        return self.update(self.request.user, self.object, **data)

    def get_success_message(self, record):
        return _("%(name)s saved.") % {"name": record.name}

    def create(self, user, **data):
        raise NotImplementedError

    def update(self, user, record, **data):
        raise NotImplementedError


class ProjectStepView(RecordStepView):
    """A step on one project (or on a record of it: ``project`` then says which)."""

    @property
    def project(self) -> IndustryProject:
        return self.object

    @property
    def subject(self):
        return self.project

    def facts(self) -> list[tuple[str, object]]:
        project = self.project
        return [
            (IndustryProject._meta.get_field("town").verbose_name, project.town.name),
            (IndustryProject._meta.get_field("status").verbose_name, project.get_status_display()),
        ]


def may_change(user, project: IndustryProject) -> bool:
    return projects_scope(user, Access.CHANGE).filter(pk=project.pk).exists()


# --- The list -----------------------------------------------------------------------------------------------------


def projects_filtered(user, params):
    """The project list's filter form and its projects for ``params`` (the query string): the page and its Excel
    export (``projects.list_exports``) read them the same way."""
    towns, villages = selectors.filter_towns(user), village_filter_choices(user, params)
    form = forms.ProjectFilterForm(params, towns=towns, villages=villages)
    return form, selectors.project_list(user=user, **form.filters())


class ProjectListView(SortableListMixin, ProjectsScopedMixin, ListView):
    paginate_by = PAGE_SIZE
    template_name = "projects/project_list.html"
    context_object_name = "projects"
    sort_columns = (
        SortColumn("code", ("code",)),
        SortColumn("name", ("name",)),
        SortColumn("category", ("category", "code")),
        SortColumn("town", ("town__code", "code")),
        SortColumn("investment", ("total_investment", "code")),
        SortColumn("planned_completion", ("planned_completion", "code")),
        SortColumn("status", ("status", "code")),
    )

    def get_queryset(self):
        self.filter_form, projects = projects_filtered(self.request.user, self.request.GET)
        self.filters = self.filter_form.filters()
        return self.sorting.apply(projects)

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(
            filter_form=self.filter_form,
            filters=self.filters,
            shows_income=self.filters["received_from"] is not None or self.filters["received_to"] is not None,
            may_propose=may_act(user, PROJECT_MANAGERS),
            may_register=may_act(user, EXISTING_RECORDERS),
            may_review=may_act(user, DISTRICT_DECIDERS),
            **kwargs,
        )
        if self.filters["as_of"] is not None:
            # The status the list was filtered on: the one of that day.
            for project in context["projects"]:
                project.status_on_label = ProjectStatus(project.status_on).label
        return context


# --- A project's page ---------------------------------------------------------------------------------------------


def section_templates() -> list[str]:
    found = []
    for name in PROJECT_SECTIONS:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found.append(name)
    return found


class ProjectDetailView(ProjectsScopedMixin, DetailView):
    template_name = "projects/project_detail.html"

    def get_queryset(self):
        return selectors.project_detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        user, project = self.request.user, self.object
        changeable = may_change(user, project)
        investments, total = selectors.project_investments(project=project)
        publicities = selectors.project_publicities(project=project)
        current = publicities[0] if publicities and project.status == ProjectStatus.PUBLICITY else None
        decider = changeable and may_act(user, DISTRICT_DECIDERS)
        standing = selectors.review_round_standing(project=project) if project.status == ProjectStatus.REVIEW else None
        return super().get_context_data(
            project=project,
            investments=investments,
            total_investment=total,
            status_changes=selectors.project_status_changes(project=project),
            review_rounds=selectors.project_review_rounds(project=project),
            publicities=publicities,
            current_publicity=current,
            moves=lifecycle.moves_open_to(user=user, project=project) if changeable else [],
            may_edit=changeable and project.status == ProjectStatus.PROPOSAL and may_act(user, PROJECT_MANAGERS),
            may_record_opinion=decider and project.status == ProjectStatus.REVIEW,
            may_open_publicity=decider and standing is not None and standing.all_agreed,
            may_return=decider
            and (project.status == ProjectStatus.PUBLICITY or (standing is not None and bool(standing.disagreed))),
            may_object=decider and current is not None,
            may_approve=decider and current is not None,
            today=timezone.localdate(),
            sections=section_templates(),
            **kwargs,
        )


# --- Proposal, change, an existing project ------------------------------------------------------------------------


class ProjectFormMixin(ProjectsScopedMixin):
    """A project's form with its investments' formset, saved together by one service or not at all."""

    template_name = "projects/project_form.html"
    allowed_roles: frozenset[Role] = PROJECT_MANAGERS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_act(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def towns(self):
        return selectors.towns_to_propose_in(self.request.user)

    def get_form_kwargs(self):
        towns = self.towns
        town = self.object.town if self.object else None
        if town is None and len(towns[:2]) == 1:
            town = towns[0]
        villages = selectors.filter_villages(self.request.user).filter(town__in=towns)
        if town is not None:
            villages = villages.filter(town=town)
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "towns": towns,
            "villages": villages,
            "fixed_town": town,
        }

    def get_formset(self):
        posted = self.request.method == "POST"
        return forms.InvestmentFormSet(
            self.request.POST if posted else None,
            prefix="investments",
            initial=None if posted else self.formset_initial(),
            form_kwargs={"allocations": forms.allocations_for_investment(self.request.user)},
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, title=self.title(), **kwargs)

    def formset_initial(self):
        return None

    def title(self) -> str:
        raise NotImplementedError

    def service_arguments(self, form):
        rows = [row.cleaned_data for row in self.formset.forms if row.cleaned_data]
        investments = [proposals.InvestmentLine(row["source"], row["amount"], row["allocation"]) for row in rows]
        return {**form.cleaned_data, "investments": investments}

    def get_success_message(self, project):
        return _("Project %(code)s is saved.") % {"code": project.code}


class ProjectCreateView(ProjectFormMixin, ServiceFormView):
    access = Access.CHANGE
    form_class = forms.ProjectProposeForm
    date_fields = ("proposed_on",)

    def title(self):
        return _("Propose an industry project")

    def perform(self, **data):
        return proposals.project_propose(user=self.request.user, **data)


class ProjectEditView(ProjectFormMixin, ServiceFormView):
    access = Access.CHANGE
    form_class = forms.ProjectForm

    def get_object(self):
        return get_object_or_404(
            self.get_queryset().select_related("town", "operator_household"), pk=self.kwargs["pk"]
        )

    def title(self):
        return _("Change the proposal %(code)s") % {"code": self.object.code}

    def get_initial(self):
        project = self.object
        return {
            "town": project.town,
            "villages": list(project.villages.all()),
            "name": project.name,
            "category": project.category,
            "park": project.park_id,
            "content": project.content,
            "scale": project.scale,
            "implementing_unit": project.implementing_unit,
            "planned_start": project.planned_start,
            "planned_completion": project.planned_completion,
            "operator_enterprise": project.operator_enterprise_id,
            "operator_household": project.operator_household.file_number if project.operator_household else "",
        }

    def formset_initial(self):
        return forms.investment_initial(self.object)

    def perform(self, *, town, **data):
        return proposals.project_update(user=self.request.user, project=self.object, **data)


class ProjectRegisterExistingView(ProjectFormMixin, ServiceFormView):
    """A project built before the system was in use, entered at its present state (point 3: since 2014)."""

    access = Access.CHANGE
    allowed_roles = EXISTING_RECORDERS
    form_class = forms.ExistingProjectForm

    def title(self):
        return _("Enter a project built before")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if len(self.towns[:2]) > 1:
            # The district office enters projects of every town: the villages of all, by town.
            kwargs["fixed_town"] = None
        return kwargs

    def perform(self, **data):
        return proposals.project_register_existing(user=self.request.user, **data)


# --- The lifecycle moves ------------------------------------------------------------------------------------------


# Each lifecycle move's service, and the names it gives the day it happened and the note.
MOVE_SERVICES = {
    "submit": (lifecycle.project_submit_for_review, "submitted_on", "note"),
    "start_construction": (lifecycle.project_start_construction, "started_on", "note"),
    "complete": (lifecycle.project_complete, "accepted_on", "note"),
    "start_operation": (lifecycle.project_start_operation, "started_on", "note"),
    "suspend": (lifecycle.project_suspend, "suspended_on", "reason"),
    "resume": (lifecycle.project_resume, "resumed_on", "note"),
    "convert": (lifecycle.project_convert, "converted_on", "reason"),
}


MOVE_NOTES = {
    "submit": gettext_lazy(
        "The project goes to the review committee: a new review round starts, in which every member department "
        "gives its opinion. It needs at least one investment."
    ),
    "start_operation": gettext_lazy(
        "A project operates only once it is on the three-assets platform (the station enters its number)."
    ),
    "resume": gettext_lazy("The project goes back to the state it was suspended from."),
    "convert": gettext_lazy("A converted project leaves the lifecycle for good."),
}


class ProjectTransitionView(ProjectStepView):
    """One page for every lifecycle move of ``LIFECYCLE_MOVES``, chosen by the ``move`` parameter."""

    form_class = forms.MoveForm
    date_fields = ("changed_on",)

    def dispatch(self, request, *args, **kwargs):
        name = request.POST.get("move") or request.GET.get("move", "")
        if request.user.is_authenticated and name not in lifecycle.LIFECYCLE_MOVES:
            raise Http404(_("There is no such step."))
        self.move = MOVES.get(name)
        return super().dispatch(request, *args, **kwargs)

    def roles(self):
        return self.move.roles

    def get_title(self):
        return self.move.label

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "needs_reason": self.move.needs_reason}

    def get_context_data(self, **kwargs):
        return super().get_context_data(move=self.move.name, **kwargs)

    def facts(self):
        facts = super().facts()
        if self.move.name in ("start_operation", "resume"):
            number = self.project.three_assets_number
            facts.append((IndustryProject._meta.get_field("three_assets_number").verbose_name, number or "—"))
        return facts

    def notes(self):
        return [MOVE_NOTES[self.move.name]] if self.move.name in MOVE_NOTES else []

    def perform(self, *, changed_on, note):
        service, date_name, note_name = MOVE_SERVICES[self.move.name]
        return service(user=self.request.user, project=self.project, **{date_name: changed_on, note_name: note})

    def get_success_message(self, result):
        return _("Project %(code)s is now “%(status)s”.") % {
            "code": result.code,
            "status": result.get_status_display(),
        }


urlpatterns = [
    path("", ProjectListView.as_view(), name="project_list"),
    path("new/", ProjectCreateView.as_view(), name="project_create"),
    path("existing/new/", ProjectRegisterExistingView.as_view(), name="project_register_existing"),
    path("<int:pk>/", ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", ProjectEditView.as_view(), name="project_edit"),
    path("<int:pk>/move/", ProjectTransitionView.as_view(), name="project_transition"),
]
