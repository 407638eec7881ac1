"""Pages of the poverty-alleviation microcredit (point 7): the loans, one loan and its steps, the loan book.

Loans come from ``funds_scope`` (through :class:`LoanScopedMixin`), the households an application is made
for from ``households_scope``; a step's page loads its loan with the change access, so another town's user
gets a 404 before any write, and a user whose role does not enter loans gets a 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from funds.forms_loans import (
    LoanApplicationForm,
    LoanDecisionForm,
    LoanDisbursementForm,
    LoanFilterForm,
    RepaymentForm,
)
from funds.models import Loan, LoanStatus
from funds.permissions import LOAN_ROLES, funds_scope, may_enter_loans
from funds.selectors import loans as selectors
from funds.services import loans as services
from households.choices import Relation
from households.models import Household
from households.permissions import households_scope
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.scoping import Access

PAGE_SIZE = 25
# How many households the application's first step lists for a search.
HOUSEHOLD_CHOICES = 20


def add_service_error(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class LoanScopedMixin(ScopedMixin):
    """Loans from funds_scope; set ``access`` to change for the pages that write."""

    scope = staticmethod(funds_scope)

    def get_queryset(self):
        loans = Loan.objects.select_related("household__village__town", "borrower", "decided_by", "recorded_by")
        return funds_scope(self.request.user, self.access, loans)


class LoanListView(LoanScopedMixin, ListView):
    paginate_by = PAGE_SIZE
    template_name = "funds/loans/list.html"

    def get_queryset(self):
        self.filter_form = LoanFilterForm(self.request.GET or None, user=self.request.user)
        self.today = timezone.localdate()
        if not self.filter_form.is_bound:
            return selectors.loan_list(user=self.request.user, filters=selectors.LoanFilters(), today=self.today)
        if not self.filter_form.is_valid():
            return Loan.objects.none()
        return selectors.loan_list(user=self.request.user, filters=self.filter_form.filters(), today=self.today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter_form=self.filter_form, today=self.today, **kwargs)
        context["rows"] = [(loan, selectors.processing_clock(loan, self.today)) for loan in context["object_list"]]
        context["may_apply"] = may_enter_loans(self.request.user)
        return context


class LoanCreateView(RoleRequiredMixin, ScopedMixin, FormView):
    """Two steps: find a household in reach by file number (or head's name), then enter its application."""

    allowed_roles = LOAN_ROLES
    scope = staticmethod(households_scope)
    access = Access.CHANGE
    form_class = LoanApplicationForm
    template_name = "funds/loans/form.html"

    def dispatch(self, request, *args, **kwargs):
        self.household = None
        return super().dispatch(request, *args, **kwargs)

    def get_household(self) -> Household | None:
        value = self.request.GET.get("household", "").strip()
        if not value:
            return None
        household = (
            self.get_queryset().select_related("village__town").filter(pk=value).first() if value.isdigit() else None
        )
        if household is None:
            raise Http404
        return household

    def get(self, request, *args, **kwargs):
        self.household = self.get_household()
        if self.household is None:
            return self.render_household_search()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.household = self.get_household()
        if self.household is None:
            raise Http404
        return super().post(request, *args, **kwargs)

    def render_household_search(self):
        query = self.request.GET.get("q", "").strip()
        households = []
        if query:
            households = list(
                self.get_queryset()
                .filter(
                    Q(file_number__icontains=query)
                    | Q(members__name__icontains=query, members__relation=Relation.HEAD)
                )
                .select_related("village__town")
                .distinct()
                .order_by("file_number")[:HOUSEHOLD_CHOICES]
            )
        return self.response_class(
            request=self.request,
            template=["funds/loans/household_search.html"],
            context={"query": query, "households": households, "limit": HOUSEHOLD_CHOICES},
            using=self.template_engine,
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "household": self.household}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("New microcredit application"),
            subject=_("Household %(file_number)s, %(village)s, %(town)s")
            % {
                "file_number": self.household.file_number,
                "village": self.household.village.name,
                "town": self.household.village.town.name,
            },
            back_url=reverse("funds:loan_create"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            self.loan = services.loan_apply(user=self.request.user, household=self.household, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Application recorded; the bank is to decide it by %(date)s.") % {"date": self.loan.due_date},
        )
        return HttpResponseRedirect(self.loan.get_absolute_url())


class LoanDetailView(LoanScopedMixin, DetailView):
    template_name = "funds/loans/detail.html"

    def get_context_data(self, **kwargs):
        loan, user, today = self.object, self.request.user, timezone.localdate()
        may_change = may_enter_loans(user) and selectors.loans_for(user, Access.CHANGE).filter(pk=loan.pk).exists()
        return super().get_context_data(
            today=today,
            clock=selectors.processing_clock(loan, today),
            schedule=selectors.loan_schedule(loan=loan, today=today),
            repayments=loan.repayments.select_related("recorded_by").order_by("paid_on", "pk"),
            current_risk=selectors.loan_current_risk(loan=loan, today=today),
            may_decide=may_change and loan.status == LoanStatus.APPLIED,
            may_disburse=may_change and loan.status == LoanStatus.APPROVED,
            may_repay=may_change and loan.status == LoanStatus.DISBURSED,
            **kwargs,
        )


class LoanStepView(RoleRequiredMixin, LoanScopedMixin, SingleObjectMixin, FormView):
    """A step of one loan: town staff with change reach; the service's refusal shows on the form."""

    allowed_roles = LOAN_ROLES
    access = Access.CHANGE
    template_name = "funds/loans/form.html"
    title = ""
    success_message = ""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        loan = self.object
        context = super().get_context_data(
            title=self.title,
            subject=_("%(borrower)s, household %(file_number)s: %(amount)s yuan over %(term)d months (%(status)s)")
            % {
                "borrower": loan.borrower.name,
                "file_number": loan.household.file_number,
                "amount": loan.amount,
                "term": loan.term_months,
                "status": loan.get_status_display(),
            },
            back_url=loan.get_absolute_url(),
            **kwargs,
        )
        # The form adds to the loan: its history is on the loan's own page.
        context.pop("object", None)
        return context

    def form_valid(self, form):
        try:
            self.save(**form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.object.get_absolute_url())

    def save(self, **data):
        raise NotImplementedError


class LoanDecideView(LoanStepView):
    form_class = LoanDecisionForm
    title = gettext_lazy("Record the bank's decision")
    success_message = gettext_lazy("Decision recorded.")

    def save(self, *, decision, decided_on, reason):
        services.loan_decide(
            user=self.request.user,
            loan=self.object,
            approve=decision == LoanDecisionForm.APPROVE,
            decided_on=decided_on,
            reason=reason,
        )


class LoanDisburseView(LoanStepView):
    form_class = LoanDisbursementForm
    title = gettext_lazy("Record the disbursement")
    success_message = gettext_lazy("Disbursement recorded; the repayment schedule is set.")

    def save(self, **data):
        services.loan_disburse(user=self.request.user, loan=self.object, **data)


class LoanRepayView(LoanStepView):
    form_class = RepaymentForm
    title = gettext_lazy("Record a repayment")
    success_message = gettext_lazy("Repayment recorded.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notes"] = [
            _("Outstanding principal: %(outstanding)s yuan. A repayment fills the oldest unpaid instalments first.")
            % {"outstanding": self.object.outstanding}
        ]
        return context

    def save(self, **data):
        services.loan_repay(user=self.request.user, loan=self.object, **data)


class LoanBookView(ScopedMixin, TemplateView):
    """The district's loan book by town: outstanding and overdue principal, the overdue ratio, the risk bands."""

    scope = staticmethod(funds_scope)
    template_name = "funds/loans/book.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        rows, total = selectors.loan_book_by_town(user=self.request.user, today=today)
        return super().get_context_data(today=today, rows=rows, total=total, **kwargs)


urlpatterns = [
    path("loans/", LoanListView.as_view(), name="loan_list"),
    path("loans/new/", LoanCreateView.as_view(), name="loan_create"),
    path("loans/book/", LoanBookView.as_view(), name="loan_book"),
    path("loans/<int:pk>/", LoanDetailView.as_view(), name="loan_detail"),
    path("loans/<int:pk>/decide/", LoanDecideView.as_view(), name="loan_decide"),
    path("loans/<int:pk>/disburse/", LoanDisburseView.as_view(), name="loan_disburse"),
    path("loans/<int:pk>/repay/", LoanRepayView.as_view(), name="loan_repay"),
]
