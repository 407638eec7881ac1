"""Pages of the joint review and the publicity (point 2): the review board, each department's opinion, the return
to the proposer, the publicity, its objections and their answers, and the approval.

These are the district office's steps (``DISTRICT_DECIDERS``); the review board is read by every district-level
post. The rules are in ``projects.services.review``.
"""

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from organisation.access import RoleRequiredMixin
from organisation.roles import DISTRICT_READERS
from organisation.scoping import may_act
from projects import forms
from projects.models import Objection, ProjectsPolicy
from projects.permissions import DISTRICT_DECIDERS
from projects.selectors import projects as selectors
from projects.services import review
from projects.views.projects import ProjectsScopedMixin, ProjectStepView


class ReviewBoardView(RoleRequiredMixin, ProjectsScopedMixin, TemplateView):
    """Every project under joint review, with each member department's opinion in its current round."""

    allowed_roles = DISTRICT_READERS
    template_name = "projects/review_board.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rows=selectors.review_board(user=self.request.user),
            members=selectors.committee_members(),
            may_record=may_act(self.request.user, DISTRICT_DECIDERS),
            **kwargs,
        )


class ReviewStepView(ProjectStepView):
    allowed_roles = DISTRICT_DECIDERS


def _standing_lines(project) -> list[str]:
    standing = selectors.review_round_standing(project=project)
    lines = []
    for department, opinion in standing.rows():
        if opinion is None:
            lines.append(_("%(department)s: no opinion yet") % {"department": department.name})
        else:
            text = f"{department.name}: {opinion.get_opinion_display()}"
            lines.append(f"{text} — {opinion.comments}" if opinion.comments else text)
    return lines


class ReviewRecordView(ReviewStepView):
    form_class = forms.OpinionForm
    title = gettext_lazy("Record a department's opinion")
    success_message = gettext_lazy("The opinion is recorded.")

    @cached_property
    def standing(self):
        return selectors.review_round_standing(project=self.project)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "departments": forms.departments_for_opinions()}

    def get_initial(self):
        initial = super().get_initial()
        department = self.request.GET.get("department", "")
        if department.isdigit():
            initial["department"] = int(department)
        elif self.standing.missing:
            initial["department"] = self.standing.missing[0].pk
        return initial

    def facts(self):
        return [*super().facts(), (_("review round"), self.project.review_round)]

    def notes(self):
        return _standing_lines(self.project)

    def perform(self, *, department, opinion, comments):
        return review.review_opinion_record(
            user=self.request.user, project=self.project, department=department, opinion=opinion, comments=comments
        )

    def get_success_url(self):
        # The next department waiting is the next thing to do.
        if selectors.review_round_standing(project=self.project).missing:
            return self.request.path
        return super().get_success_url()


class ReviewReturnView(ReviewStepView):
    form_class = forms.ReturnForm
    title = gettext_lazy("Return the project to the proposer")
    success_message = gettext_lazy("The project is returned to its town as a proposal, with the reasons.")
    date_fields = ("returned_on",)

    def notes(self):
        return [
            _("The reasons of every department that disagrees go with the project; add your own note if needed."),
            *_standing_lines(self.project),
        ]

    def perform(self, *, returned_on, note):
        return review.review_return(user=self.request.user, project=self.project, returned_on=returned_on, note=note)


class PublicityOpenView(ReviewStepView):
    form_class = forms.PublicityOpenForm
    title = gettext_lazy("Open the publicity")
    success_message = gettext_lazy("The publicity is open: the project is on the public page for its period.")
    date_fields = ("starts_on",)

    def notes(self):
        days = ProjectsPolicy.current().publicity_days
        return [
            _(
                "The project's content, scale, planned completion and investment are published for %(days)d days, "
                "the first day included; it can be approved from the day after the last, once every objection is "
                "answered."
            )
            % {"days": days},
            *_standing_lines(self.project),
        ]

    def perform(self, *, starts_on):
        return review.publicity_open(user=self.request.user, project=self.project, starts_on=starts_on)


class ObjectionCreateView(ReviewStepView):
    form_class = forms.ObjectionForm
    title = gettext_lazy("Record an objection")
    success_message = gettext_lazy("The objection is recorded; it must be answered before the project is approved.")
    date_fields = ("received_on",)

    def perform(self, *, received_on, raised_by, content):
        publicity = review.current_publicity(self.project)
        if publicity is None:
            raise ValidationError(_("The project has not been published."))
        return review.objection_record(
            user=self.request.user, publicity=publicity, received_on=received_on, raised_by=raised_by, content=content
        )


class ObjectionAnswerView(ReviewStepView):
    model = Objection
    form_class = forms.ObjectionAnswerForm
    title = gettext_lazy("Answer the objection")
    success_message = gettext_lazy("The answer is recorded.")
    date_fields = ("answered_on",)

    def get_queryset(self):
        return super().get_queryset().select_related("publicity__project__town")

    @property
    def project(self):
        return self.object.publicity.project

    def facts(self):
        objection = self.object
        return [
            *super().facts(),
            (Objection._meta.get_field("received_on").verbose_name, objection.received_on),
            (Objection._meta.get_field("content").verbose_name, objection.content),
        ]

    def perform(self, *, answered_on, answer):
        return review.objection_answer(
            user=self.request.user, objection=self.object, answer=answer, answered_on=answered_on
        )


class ProjectApproveView(ReviewStepView):
    form_class = forms.ApproveForm
    title = gettext_lazy("Approve the project")
    success_message = gettext_lazy("The project is approved.")
    date_fields = ("approved_on",)

    def notes(self):
        publicity = review.current_publicity(self.project)
        notes = []
        if publicity is not None:
            notes.append(
                _("Publicity from %(start)s to %(end)s.") % {"start": publicity.starts_on, "end": publicity.ends_on}
            )
        return notes

    def perform(self, *, approved_on):
        return review.project_approve(user=self.request.user, project=self.project, approved_on=approved_on)


urlpatterns = [
    path("review/", ReviewBoardView.as_view(), name="review_board"),
    path("<int:pk>/review/record/", ReviewRecordView.as_view(), name="review_record"),
    path("<int:pk>/review/return/", ReviewReturnView.as_view(), name="review_return"),
    path("<int:pk>/publicity/open/", PublicityOpenView.as_view(), name="publicity_open"),
    path("<int:pk>/objections/new/", ObjectionCreateView.as_view(), name="objection_create"),
    path("objections/<int:pk>/answer/", ObjectionAnswerView.as_view(), name="objection_answer"),
    path("<int:pk>/approve/", ProjectApproveView.as_view(), name="project_approve"),
]
