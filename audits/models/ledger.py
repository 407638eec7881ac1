"""整改台账 (point 20): problems to fix, item by item, with measures, evidence, close-off and look-back."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audits import rules
from audits.choices import Category, ItemStatus, LookBackOutcome, Source
from funds.models import Loan, MonthlyReport, SupervisionFinding, Transfer
from history.tracking import track_history
from households.models import QualityProblem
from organisation.deadlines import StoredDeadline
from organisation.models import Town, Village
from organisation.workdays import Deadline, WorkingCalendar
from projects.models import RectificationPlan

# The source records of the other apps; each may have one ledger item, never two (OneToOne: unique when set).
SOURCE_RECORD_FIELDS = ("transfer", "monthly_report", "finding", "quality_problem", "rectification_plan", "loan")


def _at_most_one_source_record() -> Q:
    none_set = Q(**{f"{name}__isnull": True for name in SOURCE_RECORD_FIELDS})
    one_set = [
        Q(**{f"{name}__isnull": name != chosen for name in SOURCE_RECORD_FIELDS}) for chosen in SOURCE_RECORD_FIELDS
    ]
    condition = none_set
    for option in one_set:
        condition |= option
    return condition


class LedgerCounter(models.Model):
    """The last number given to a ledger item or a supervision order in a year (locked while a number is taken)."""

    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="ledger_counter_kind_year")]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"


@track_history()
class RectificationItem(StoredDeadline):
    """One problem (问题) of the ledger. ``clock_start`` is the day it was raised; the deadline (限期) is
    ``time_limit_working_days`` working days later."""

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    source_reference = models.CharField(
        _("source reference"), max_length=200, blank=True, help_text=_("The inspection's or audit's document number.")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="ledger_items", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_items",
        verbose_name=_("village"),
    )  # fmt: skip
    description = models.TextField(_("problem"))
    responsible_unit = models.CharField(_("responsible unit"), max_length=200)
    responsible_person = models.CharField(_("responsible person"), max_length=100)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible person's account"),
    )  # fmt: skip
    time_limit_working_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("raised by"),
    )  # fmt: skip
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now, editable=False)
    engagement = models.ForeignKey(
        "audits.AuditEngagement", on_delete=models.PROTECT, null=True, blank=True, related_name="items",
        verbose_name=_("audit engagement"),
    )  # fmt: skip

    # The record of another app this item was raised from (one item per record, held by the database).
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_item"
    )
    monthly_report = models.OneToOneField(
        MonthlyReport, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_item"
    )
    finding = models.OneToOneField(
        SupervisionFinding, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_item"
    )
    quality_problem = models.OneToOneField(
        QualityProblem, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_item"
    )
    rectification_plan = models.OneToOneField(
        RectificationPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_item"
    )
    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_item")

    # 销号: the responsible unit asks, a different person verifies.
    close_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("close-off requested by"),
    )  # fmt: skip
    close_requested_at = models.DateTimeField(_("close-off requested at"), null=True, blank=True)
    close_request_note = models.TextField(_("what was done"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("closed off by"),
    )  # fmt: skip
    closed_on = models.DateField(_("closed off on"), null=True, blank=True)
    closed_late = models.BooleanField(_("closed after the deadline"), default=False)
    close_verdict_note = models.TextField(_("verifier's note"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # 约谈: set by the daily scan when an order's reply deadline passed too; cleared when the interview is recorded.
    interview_due_since = models.DateField(_("interview due since"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="item_number_unique"),
            models.CheckConstraint(name="item_at_most_one_source_record", condition=_at_most_one_source_record()),
            # Separation of duties: whoever verifies is neither the responsible person nor who asked.
            models.CheckConstraint(
                name="item_verifier_not_requester",
                condition=Q(closed_by__isnull=True)
                | Q(close_requested_by__isnull=True)
                | ~Q(closed_by=F("close_requested_by")),
            ),
            models.CheckConstraint(
                name="item_verifier_not_responsible",
                condition=Q(closed_by__isnull=True)
                | Q(responsible_user__isnull=True)
                | ~Q(closed_by=F("responsible_user")),
            ),
            models.CheckConstraint(
                name="item_closed_has_verifier",
                condition=~Q(status=ItemStatus.CLOSED) | Q(closed_by__isnull=False, closed_on__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["town", "status"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["source", "status"]),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return rules.item_number(self.year, self.sequence)

    def get_absolute_url(self) -> str:
        return reverse("audits:item_detail", args=[self.pk])

    def compute_deadline(self, calendar: WorkingCalendar, policy: None) -> Deadline:
        return rules.item_deadline(self.clock_start, working_days=self.time_limit_working_days, calendar=calendar)

    @property
    def source_record(self):
        return next((getattr(self, name) for name in SOURCE_RECORD_FIELDS if getattr(self, f"{name}_id")), None)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status != ItemStatus.CLOSED and self.due_date is not None and self.due_date < today


@track_history()
class Measure(models.Model):
    """整改措施: one itemised measure of an item, with its own owner and due date."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="measures")
    description = models.TextField(_("measure"))
    owner_unit = models.CharField(_("owner"), max_length=200)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("owner's account"),
    )  # fmt: skip
    due_on = models.DateField(pgettext_lazy("rectification measure", "due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["item", "due_on", "pk"]

    def __str__(self):
        return self.description[:50]


@track_history()
class ProgressNote(models.Model):
    """整改进展: a dated note on a measure's progress."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["measure", "written_at", "pk"]

    def __str__(self):
        return self.text[:50]


@track_history()
class Evidence(models.Model):
    """A file that proves an item fixed: stored under MEDIA_ROOT, served only through a checked download, its
    SHA-256 kept (and so in the history)."""

    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to="audits/evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["item", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


@track_history()
class LookBack(StoredDeadline):
    """回头看: a re-check of a closed item, due ``after_days`` after its close-off (``clock_start``); the days are the
    policy's when the item was closed."""

    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="look_backs")
    after_days = models.PositiveSmallIntegerField(_("days after close-off"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=LookBackOutcome.choices, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("checked by"),
    )  # fmt: skip
    done_on = models.DateField(_("checked on"), null=True, blank=True)
    note = models.TextField(_("what was found"), blank=True)

    class Meta:
        verbose_name = _("look-back")
        verbose_name_plural = _("look-backs")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(outcome=""), name="look_back_one_pending_per_item"),
            models.CheckConstraint(
                name="look_back_outcome_has_checker",
                condition=Q(outcome="") | Q(done_by__isnull=False, done_on__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.item} · {self.due_date}"

    def compute_deadline(self, calendar: WorkingCalendar, policy: None) -> Deadline:
        return rules.look_back_deadline(self.clock_start, days=self.after_days, calendar=calendar)
