"""社会监督评议 (point 15): the district office's queue of the public's evaluations, and the public's form.

The form is a page without login of its own namespace (``public_forms``): the public page itself answers GET only and
is rendered without the request's context, so it links here. The form is CSRF-protected, its submissions are counted
per address (``partners.services.evaluations``), and what the public wrote is shown escaped, never as HTML.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from organisation.access import RoleRequiredMixin
from organisation.client_address import client_address
from organisation.forms import service_errors_to_form
from organisation.scoping import Access
from organisation.sorting import SortColumn
from organisation.steps import StepFormView
from partners import forms
from partners.choices import EvaluationStatus
from partners.models import Department, PublicEvaluation
from partners.permissions import EVALUATION_MODERATORS, partners_scope
from partners.selectors import people as selectors
from partners.selectors.public import public_departments
from partners.services import evaluations as services
from partners.views.base import Cell, Column, PartnersListView


class EvaluationListView(RoleRequiredMixin, PartnersListView):
    allowed_roles = EVALUATION_MODERATORS
    title = gettext_lazy("The public's evaluations")
    search_placeholder = gettext_lazy("Text or answer")
    testid = "evaluation-table"
    sort_columns = (SortColumn("submitted_at", ("submitted_at",)), SortColumn("status", ("status", "submitted_at")))
    columns = (
        Column(gettext_lazy("submitted at"), "submitted_at"),
        Column(gettext_lazy("sector department")),
        Column(gettext_lazy("evaluation or comment")),
        Column(gettext_lazy("status"), "status"),
        Column(gettext_lazy("answer")),
    )

    def rows(self):
        status = self.request.GET.get("status", "")
        return selectors.evaluation_list(user=self.request.user, status=status, query=self.query())

    def filters(self):
        return [{"name": "status", "label": _("Every status"), "options": EvaluationStatus.choices}]

    def cells(self, record):
        moderate = reverse("partners:evaluation_moderate", args=[record.pk])
        return [
            Cell(record.submitted_at.strftime("%Y-%m-%d %H:%M")),
            Cell(record.department.name if record.department else "—"),
            Cell(record.text[:200], moderate),
            Cell(record.get_status_display()),
            Cell(record.answer or "—"),
        ]


class EvaluationModerateView(RoleRequiredMixin, StepFormView):
    allowed_roles = EVALUATION_MODERATORS
    form_class = forms.ModerationForm
    title = gettext_lazy("Moderate an evaluation")
    success_message = gettext_lazy("The evaluation is moderated.")

    def get_queryset(self):
        return partners_scope(self.request.user, Access.CHANGE, PublicEvaluation.objects.select_related("department"))

    def get_initial(self):
        return {**super().get_initial(), "answer": self.object.answer}

    def facts(self):
        evaluation = self.object
        return [
            (_("submitted at"), evaluation.submitted_at.strftime("%Y-%m-%d %H:%M")),
            (_("sector department"), evaluation.department.name if evaluation.department else "—"),
            (_("evaluation or comment"), evaluation.text),
        ]

    def get_back_url(self):
        return reverse("partners:evaluation_list")

    def get_success_url(self):
        return reverse("partners:evaluation_list")

    def perform(self, **data):
        return services.evaluation_moderate(user=self.request.user, evaluation=self.object, **data)


class PublicEvaluationView(FormView):
    """The public's form (no login). GET shows it, POST stores the evaluation for moderation."""

    public_form = True
    http_method_names = ["get", "post"]
    template_name = "public/evaluation_form.html"
    form_class = forms.PublicEvaluationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "departments": public_departments()}

    def form_valid(self, form):
        data = form.cleaned_data
        department = Department.objects.filter(pk=data["department"]).first() if data["department"] else None
        try:
            services.evaluation_submit(
                address=client_address(self.request),
                text=data["text"],
                author=data["author"],
                department=department,
            )
        except ValidationError as error:
            service_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Thank you. The district office reads every evaluation and publishes it with its answer.")
        )
        return HttpResponseRedirect(reverse("public_forms:evaluation"))


urlpatterns = [
    path("evaluations/", EvaluationListView.as_view(), name="evaluation_list"),
    path("evaluations/<int:pk>/", EvaluationModerateView.as_view(), name="evaluation_moderate"),
]
public_urlpatterns = [path("", PublicEvaluationView.as_view(), name="evaluation")]
