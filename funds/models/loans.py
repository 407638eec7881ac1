"""Poverty-alleviation microcredit (point 7): applications decided within a time limit, repayments, risk bands."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.choices import LoanStatus, RepaymentInterval, RiskBand
from funds.models.policy import FundsPolicy
from funds.rules import loan_processing_deadline
from history.tracking import track_history
from households.models import Household, Member
from organisation.deadlines import StoredDeadline
from organisation.money import MONEY
from organisation.workdays import Deadline, WorkingCalendar


@track_history()
class Loan(StoredDeadline):
    """A microcredit loan from its application (``clock_start``: the day the application was received)."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="loans", verbose_name=_("household")
    )
    borrower = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="loans", verbose_name=_("borrower"))
    bank = models.CharField(_("bank"), max_length=100, default="兰山农村商业银行")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_interval = models.CharField(
        _("repayment"), max_length=20, choices=RepaymentInterval.choices, default=RepaymentInterval.AT_MATURITY
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.APPLIED)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reject_reason = models.TextField(_("reason for rejecting"), blank=True)
    contract_number = models.CharField(_("contract number"), max_length=60, blank=True)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    maturity_on = models.DateField(_("matures on"), null=True, blank=True)
    repaid = models.DecimalField(_("principal repaid (yuan)"), **MONEY, default=0, editable=False)
    # Processing: flagged by the overdue scan when undecided after the due day; days_late kept once decided.
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True, editable=False)
    days_late = models.PositiveIntegerField(_("days late"), null=True, blank=True, editable=False)
    # Repayment risk: the band last set by the scan, and when it last rose.
    risk_band = models.PositiveSmallIntegerField(
        _("risk warning"), choices=RiskBand.choices, default=RiskBand.NONE, editable=False
    )
    risk_flagged_at = models.DateTimeField(_("risk warning raised at"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("microcredit loan")
        verbose_name_plural = _("microcredit loans")
        ordering = ["-clock_start", "-pk"]
        constraints = [
            # One loan at a time per household: a new application waits until the last is settled or rejected.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=[LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.DISBURSED]),
                name="loan_one_open_per_household",
            ),
            models.UniqueConstraint(
                fields=["bank", "contract_number"],
                condition=~Q(contract_number=""),
                name="loan_contract_unique_per_bank",
            ),
            models.CheckConstraint(name="loan_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="loan_term_positive", condition=Q(term_months__gte=1)),
            models.CheckConstraint(name="loan_has_application_date", condition=Q(clock_start__isnull=False)),
            models.CheckConstraint(
                name="loan_repaid_within_amount", condition=Q(repaid__gte=0) & Q(repaid__lte=F("amount"))
            ),
            models.CheckConstraint(
                name="loan_decision_dated",
                condition=Q(status=LoanStatus.APPLIED) | Q(decided_on__isnull=False, decided_by__isnull=False),
            ),
            models.CheckConstraint(
                name="loan_disbursement_dated",
                condition=~Q(status__in=[LoanStatus.DISBURSED, LoanStatus.SETTLED])
                | Q(disbursed_on__isnull=False, maturity_on__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["due_date"], condition=Q(decided_on__isnull=True), name="loan_undecided_by_due"),
            models.Index(fields=["status"], name="loan_status"),
            # The loan list's order: without it the district's first page joined and sorted all 20,000 loans of the
            # province (0.15 s of the page's 0.22 s; with it the page took 0.05 s).
            models.Index(F("clock_start").desc(), F("id").desc(), name="loan_list_order"),
        ]

    def __str__(self):
        return f"{self.borrower.name} {self.amount}"

    def get_absolute_url(self):
        return reverse("funds:loan_detail", args=[self.pk])

    @classmethod
    def deadline_policy(cls) -> FundsPolicy:
        return FundsPolicy.current()

    def compute_deadline(self, calendar: WorkingCalendar, policy: FundsPolicy) -> Deadline:
        return loan_processing_deadline(
            self.clock_start, working_days=policy.loan_processing_working_days, calendar=calendar
        )

    @property
    def outstanding(self):
        return self.amount - self.repaid


@track_history()
class Installment(models.Model):
    """One due payment of the repayment schedule; repayments fill instalments oldest first."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    principal = models.DecimalField(_("principal due (yuan)"), **MONEY)
    paid = models.DecimalField(_("paid (yuan)"), **MONEY, default=0)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="installment_number_unique"),
            models.CheckConstraint(name="installment_principal_positive", condition=Q(principal__gt=0)),
            models.CheckConstraint(
                name="installment_paid_within_principal", condition=Q(paid__gte=0) & Q(paid__lte=F("principal"))
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(paid__lt=F("principal")), name="installment_unpaid_by_due")
        ]

    def __str__(self):
        return f"{self.loan} #{self.number}"

    @property
    def unpaid(self):
        return self.principal - self.paid


@track_history()
class Repayment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["loan", "paid_on", "pk"]
        constraints = [models.CheckConstraint(name="repayment_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.loan} {self.paid_on} {self.amount}"
