"""Monthly fund-usage reports (point 5: "镇街道每月向区扶贫开发领导小组报告资金使用情况")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from funds.choices import ReportStatus
from funds.models.chain import Allocation
from funds.models.policy import FundsPolicy
from funds.rules import report_deadline
from history.tracking import track_history
from organisation.deadlines import StoredDeadline
from organisation.models import Town
from organisation.money import MONEY
from organisation.workdays import Deadline, WorkingCalendar


@track_history()
class MonthlyReport(StoredDeadline):
    """A town's report on one month; ``clock_start`` is the month's last day, the due day follows the policy."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="fund_reports", verbose_name=_("town"))
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    notes = models.TextField(_("notes on the use of the funds"), blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    review_note = models.TextField(_("district office's note"), blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True, editable=False)
    days_late = models.PositiveIntegerField(_("days late"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("monthly fund-usage report")
        verbose_name_plural = _("monthly fund-usage reports")
        ordering = ["-month", "town"]
        constraints = [
            models.UniqueConstraint(fields=["town", "month"], name="monthly_report_one_per_town_month"),
            models.CheckConstraint(name="monthly_report_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="monthly_report_submitted_dated",
                condition=Q(status=ReportStatus.DRAFT) | Q(submitted_on__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["due_date"], condition=Q(submitted_on__isnull=True), name="monthly_report_unsent_due")
        ]

    def __str__(self):
        return f"{self.town} {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("funds:report_detail", args=[self.pk])

    @classmethod
    def deadline_policy(cls) -> FundsPolicy:
        return FundsPolicy.current()

    def compute_deadline(self, calendar: WorkingCalendar, policy: FundsPolicy) -> Deadline:
        return report_deadline(self.month, due_working_day=policy.report_due_working_day, calendar=calendar)


@track_history()
class MonthlyReportLine(models.Model):
    """The chain's figures for one allocation in a report, frozen when the town submits it."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="lines")
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="+")
    received = models.DecimalField(_("received by the finance office (yuan)"), **MONEY)
    forwarded = models.DecimalField(_("forwarded to the station (yuan)"), **MONEY)
    paid_to_villages = models.DecimalField(_("paid to villages (yuan)"), **MONEY)
    balance = models.DecimalField(_("balance in the town (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("report line")
        verbose_name_plural = _("report lines")
        ordering = ["report", "allocation"]
        constraints = [models.UniqueConstraint(fields=["report", "allocation"], name="report_line_one_per_allocation")]

    def __str__(self):
        return f"{self.report} {self.allocation_id}"
