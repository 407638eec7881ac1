"""Pages of the poverty-alleviation microcredit (point 7): the loans, one loan and its steps, the loan book.

Loans come from ``funds_scope`` (through :class:`LoanScopedMixin`), the households an application is made
for from ``households_scope``; a step's page loads its loan with the change access, so another town's user
gets a 404 before any write, and a user whose role does not enter loans gets a 403.
"""

from django.db.models import Q
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, TemplateView

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
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import StepFormView

PAGE_SIZE = 25
# How many households the application's first step lists for a search.
HOUSEHOLD_CHOICES = 20


class LoanScopedMixin(ScopedMixin):
    """Loans from funds_scope; set ``access`` to change for the pages that write."""

    scope = staticmethod(funds_scope)

    def get_queryset(self):
        loans = Loan.objects.select_related("household__village__town", "borrower", "decided_by", "recorded_by")
        return funds_scope(self.request.user, self.access, loans)


def loans_filtered(user, params, today):
    """The loan list's filter form and its loans for ``params`` (the query string): the page and its Excel export
    (``funds.list_exports``) read them the same way."""
    form = LoanFilterForm(params or None, user=user)
    if not form.is_bound:
        return form, selectors.loan_list(user=user, filters=selectors.LoanFilters(), today=today)
    if not form.is_valid():
        return form, Loan.objects.none()
    return form, selectors.loan_list(user=user, filters=form.filters(), today=today)


class LoanListView(SortableListMixin, LoanScopedMixin, ListView):
    paginate_by = PAGE_SIZE
    template_name = "funds/loans/list.html"
    sort_columns = (
        SortColumn("received_on", ("clock_start",)),
        SortColumn("borrower", ("borrower__name",)),
        SortColumn("household", ("household__file_number",)),
        SortColumn("town", ("household__village__town__code",)),
        SortColumn("village", ("household__village__code",)),
        SortColumn("amount", ("amount",)),
        SortColumn("term", ("term_months",)),
        SortColumn("status", ("status",)),
        SortColumn("risk", ("risk_band",)),
        SortColumn("contract", ("contract_number",)),
    )

    def get_queryset(self):
        self.today = timezone.localdate()
        self.filter_form, loans = loans_filtered(self.request.user, self.request.GET, self.today)
        return self.sorting.apply(loans)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            filter_form=self.filter_form, today=self.today, totals=selectors.loan_totals(self.object_list), **kwargs
        )
        context["rows"] = [(loan, selectors.processing_clock(loan, self.today)) for loan in context["object_list"]]
        context["may_apply"] = may_enter_loans(self.request.user)
        return context


class LoanCreateView(RoleRequiredMixin, ScopedMixin, StepFormView):
    """Two steps: find a household in reach by file number (or head's name), then enter its application."""

    allowed_roles = LOAN_ROLES
    scope = staticmethod(households_scope)
    access = Access.CHANGE
    form_class = LoanApplicationForm
    title = gettext_lazy("New microcredit application")
    date_fields = ("received_on",)

    def get_object(self) -> Household | None:
        """The household of ``?household=`` in the user's reach (404 for another), or None before one is chosen."""
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
        if self.object is None:
            return self.render_household_search()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.object is None:
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
        return {**super().get_form_kwargs(), "household": self.object}

    @property
    def subject(self):
        household = self.object
        return _("Household %(file_number)s, %(village)s, %(town)s") % {
            "file_number": household.file_number,
            "village": household.village.name,
            "town": household.village.town.name,
        }

    def get_back_url(self):
        return reverse("funds:loan_create")

    def perform(self, **data):
        return services.loan_apply(user=self.request.user, household=self.object, **data)

    def get_success_message(self, loan):
        return _("Application recorded; the bank is to decide it by %(date)s.") % {"date": loan.due_date}

    def get_success_url(self):
        return self.result.get_absolute_url()


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


class LoanStepView(RoleRequiredMixin, LoanScopedMixin, StepFormView):
    """A step of one loan: town staff with change reach; the service's refusal shows on the form. The form adds to
    the loan: its history is on the loan's own page."""

    allowed_roles = LOAN_ROLES
    access = Access.CHANGE

    @property
    def subject(self):
        loan = self.object
        return _("%(borrower)s, household %(file_number)s: %(amount)s yuan over %(term)d months (%(status)s)") % {
            "borrower": loan.borrower.name,
            "file_number": loan.household.file_number,
            "amount": loan.amount,
            "term": loan.term_months,
            "status": loan.get_status_display(),
        }

    def get_back_url(self):
        return self.object.get_absolute_url()

    def get_success_url(self):
        return self.object.get_absolute_url()


class LoanDecideView(LoanStepView):
    form_class = LoanDecisionForm
    title = gettext_lazy("Record the bank's decision")
    success_message = gettext_lazy("Decision recorded.")
    date_fields = ("decided_on",)

    def perform(self, *, decision, decided_on, reason):
        return services.loan_decide(
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
    date_fields = ("disbursed_on",)

    def perform(self, **data):
        return services.loan_disburse(user=self.request.user, loan=self.object, **data)


class LoanRepayView(LoanStepView):
    form_class = RepaymentForm
    title = gettext_lazy("Record a repayment")
    success_message = gettext_lazy("Repayment recorded.")
    date_fields = ("paid_on",)

    def notes(self):
        return [
            _("Outstanding principal: %(outstanding)s yuan. A repayment fills the oldest unpaid instalments first.")
            % {"outstanding": self.object.outstanding}
        ]

    def perform(self, **data):
        return services.loan_repay(user=self.request.user, loan=self.object, **data)


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
