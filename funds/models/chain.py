"""The disbursement chain of point 5: an allocation comes down to the district and moves in hops to villages.

    higher level --allocation--> district finance bureau
        --Transfer TO_TOWN (15 calendar days from the district's receipt)--> town finance office
        --Transfer TO_STATION (5 working days from the office's receipt)--> town economic management station
        --Transfer TO_VILLAGE (5 working days from the approval of the village's PaymentRequest)--> village

What a unit has received of an allocation and how much of it it has committed onward is kept in a
``Holding`` (the district's is the ``Allocation`` itself); the database refuses a commitment above
what was received, so two people sending at once cannot over-send. The deadline rules are in
``funds.rules``, one function per hop (``to_town_deadline``, ``to_station_deadline``, ``to_village_deadline``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funds.choices import RECEIVER, SENDER, Hop, PaymentRequestStatus, Unit
from funds.rules import transfer_deadline
from history.tracking import track_history
from organisation.deadlines import StoredDeadline
from organisation.models import Town, Village
from organisation.money import MONEY
from organisation.workdays import Deadline, WorkingCalendar


@track_history()
class Allocation(models.Model):
    """专项扶贫资金: a higher-level allocation received by the district, earmarked for towns."""

    document_number = models.CharField(
        _("document number"), max_length=60, unique=True, help_text=_("For example 鲁财农指〔2018〕12号.")
    )
    title = models.CharField(_("title"), max_length=200)
    issued_by = models.CharField(_("issued by"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("budget year"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    received_on = models.DateField(_("received by the district on"))
    # The sum of the amounts allotted to towns (the TO_TOWN transfers): never above ``amount``.
    allotted = models.DecimalField(_("allotted to towns (yuan)"), **MONEY, default=0, editable=False)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    # Fields whose history only the district follows: ``allotted`` grows by each town's share, so its steps would tell
    # a town the other towns' shares (the History tab leaves them out for a reader without district reach).
    history_district_only = ("allotted",)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="allocation_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="allocation_allotted_within_amount", condition=Q(allotted__gte=0) & Q(allotted__lte=F("amount"))
            ),
        ]

    def __str__(self):
        return f"{self.document_number} {self.title}"

    def get_absolute_url(self):
        return reverse("funds:allocation_detail", args=[self.pk])

    @property
    def unallotted(self):
        return self.amount - self.allotted


@track_history()
class Holding(models.Model):
    """What a town's finance office or station has received of one allocation, and committed onward."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="holdings")
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="fund_holdings")
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    received = models.DecimalField(_("received (yuan)"), **MONEY, default=0)
    committed = models.DecimalField(_("committed onward (yuan)"), **MONEY, default=0)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        constraints = [
            models.UniqueConstraint(fields=["allocation", "town", "unit"], name="holding_one_per_unit"),
            models.CheckConstraint(
                name="holding_unit_in_town", condition=Q(unit__in=[Unit.TOWN_FINANCE, Unit.STATION])
            ),
            # The rule of the chain: nothing is sent onward that was not received.
            models.CheckConstraint(
                name="holding_committed_within_received",
                condition=Q(committed__gte=0) & Q(committed__lte=F("received")),
            ),
        ]

    def __str__(self):
        return f"{self.allocation.document_number} {self.town} {self.get_unit_display()}"

    @property
    def balance(self):
        return self.received - self.committed


@track_history()
class PaymentRequest(models.Model):
    """A village's request to the station for money of an allocation for a project (资金拨付申请)."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="payment_requests", verbose_name=_("village")
    )
    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="payment_requests", verbose_name=_("allocation")
    )
    project_name = models.CharField(_("project"), max_length=200)
    purpose = models.TextField(_("purpose of the payment"))
    amount = models.DecimalField(_("amount requested (yuan)"), **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentRequestStatus.choices, default=PaymentRequestStatus.SUBMITTED
    )
    submitted_on = models.DateField(_("submitted on"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reviewed by"),
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        ordering = ["-submitted_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="payment_request_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="payment_request_review_complete",
                condition=Q(status=PaymentRequestStatus.SUBMITTED)
                | Q(reviewed_on__isnull=False, reviewed_by__isnull=False),
            ),
            models.CheckConstraint(
                name="payment_request_return_has_reason",
                condition=~Q(status=PaymentRequestStatus.RETURNED) | ~Q(return_reason=""),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_on"], name="payment_request_queue"),
            # The request list's order: without it the district's first page joined and sorted all 126,015 requests
            # of the province (57 ms of the page's 0.1 s).
            models.Index(F("submitted_on").desc(), F("id").desc(), name="payment_request_list_order"),
        ]

    def __str__(self):
        return f"{self.village} {self.project_name} {self.amount}"

    def get_absolute_url(self):
        return reverse("funds:request_detail", args=[self.pk])


@track_history(bulk=True)
class Transfer(StoredDeadline):
    """One hop of money moving down the chain (拨付), with its legal deadline.

    ``clock_start`` is the day the sender's clock started (the district's receipt of the allocation,
    the finance office's receipt from the district, the approval of the village's request);
    ``due_date`` follows from the hop's rule. ``overdue_flagged_at`` is set by the overdue scan when
    the due day ends unsent; ``days_late`` is written when it is sent and keeps the record afterwards.
    """

    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("allocation")
    )
    hop = models.CharField(_("hop"), max_length=20, choices=Hop.choices)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="fund_transfers", verbose_name=_("town"))
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="fund_transfers",
        null=True,
        blank=True,
        verbose_name=pgettext_lazy("unit of the chain", "Village"),
    )
    payment_request = models.OneToOneField(
        PaymentRequest,
        on_delete=models.PROTECT,
        related_name="transfer",
        null=True,
        blank=True,
        verbose_name=_("payment request"),
    )
    # The transfer whose receipt started this one's clock (the district's, for a TO_STATION hop).
    source = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="onward", null=True, blank=True, verbose_name=_("source")
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    voucher_number = models.CharField(_("voucher number"), max_length=60, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True, editable=False)
    days_late = models.PositiveIntegerField(_("days late"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="transfer_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="transfer_has_clock", condition=Q(clock_start__isnull=False)),
            models.CheckConstraint(
                name="transfer_village_hop_has_village_and_request",
                condition=Q(hop=Hop.TO_VILLAGE, village__isnull=False, payment_request__isnull=False)
                | (~Q(hop=Hop.TO_VILLAGE) & Q(village__isnull=True, payment_request__isnull=True)),
            ),
            models.CheckConstraint(
                name="transfer_sent_after_clock", condition=Q(sent_on__isnull=True) | Q(sent_on__gte=F("clock_start"))
            ),
            models.CheckConstraint(
                name="transfer_received_after_sent",
                condition=Q(received_on__isnull=True) | Q(sent_on__isnull=False, received_on__gte=F("sent_on")),
            ),
            # A town is allotted an allocation once; a correction changes that transfer, not a second one.
            models.UniqueConstraint(
                fields=["allocation", "town"], condition=Q(hop=Hop.TO_TOWN), name="transfer_one_allotment_per_town"
            ),
            models.UniqueConstraint(
                fields=["source"], condition=Q(hop=Hop.TO_STATION), name="transfer_one_forwarding_per_receipt"
            ),
        ]
        indexes = [
            # The overdue scan and the overdue list read only the unsent transfers, by due date.
            # Covering the list's count and sum, so they are read from the index alone.
            models.Index(
                fields=["due_date"],
                include=["amount", "town", "village", "hop"],
                condition=Q(sent_on__isnull=True),
                name="transfer_unsent_by_due",
            ),
            # The hourly scan reads only what it has not flagged yet.
            models.Index(
                fields=["due_date"],
                condition=Q(sent_on__isnull=True, overdue_flagged_at__isnull=True),
                name="transfer_unflagged_by_due",
            ),
            models.Index(fields=["town", "hop"], name="transfer_town_hop"),
            # The transfer list's order (newest clock first): without it the district's first page sorted every
            # transfer (0.76 s on a province of 210,415; 0.04 s with it, bin/loadtest).
            models.Index(F("clock_start").desc(), F("id").desc(), name="transfer_list_order"),
        ]

    def __str__(self):
        return f"{self.allocation.document_number} {self.get_hop_display()} {self.amount}"

    def get_absolute_url(self):
        return reverse("funds:transfer_detail", args=[self.pk])

    def compute_deadline(self, calendar: WorkingCalendar, policy=None) -> Deadline:
        # The hops' periods are fixed by the work plan: no policy figure moves them.
        return transfer_deadline(Hop(self.hop), self.clock_start, calendar=calendar)

    @property
    def sender(self) -> Unit:
        return SENDER[Hop(self.hop)]

    @property
    def receiver(self) -> Unit:
        return RECEIVER[Hop(self.hop)]

    @property
    def recipient_name(self) -> str:
        if self.hop == Hop.TO_VILLAGE:
            return str(self.village)
        return f"{self.town} {self.receiver.label}"
