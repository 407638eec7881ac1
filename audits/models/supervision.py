"""督办单, 约谈, 问责, 通报曝光 (points 18 and 20): what the district does about items not fixed in time."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits import rules
from audits.choices import AccountabilityForm
from audits.models.ledger import RectificationItem
from history.tracking import track_history
from organisation.deadlines import StoredDeadline
from organisation.models import Town
from organisation.workdays import Deadline, WorkingCalendar


@track_history()
class SupervisionOrder(StoredDeadline):
    """督办单: an order to a town to fix the items it covers; ``clock_start`` is the day it was issued, the reply is
    due ``reply_working_days`` working days later. ``issued_by`` is empty for an order the daily scan issued."""

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="supervision_orders", verbose_name=_("addressed town")
    )
    addressee = models.CharField(_("addressee"), max_length=200)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )  # fmt: skip
    automatic = models.BooleanField(_("issued by the daily scan"), default=False)
    requirement = models.TextField(_("what is required"))
    reply_working_days = models.PositiveSmallIntegerField(_("reply within (working days)"))
    reply = models.TextField(_("town's reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("replied by"),
    )  # fmt: skip
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    items = models.ManyToManyField(RectificationItem, through="OrderItem", related_name="orders")

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-year", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="order_number_unique")]
        indexes = [models.Index(fields=["town", "replied_on"]), models.Index(fields=["replied_on", "due_date"])]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return rules.order_number(self.year, self.sequence)

    def get_absolute_url(self) -> str:
        return reverse("audits:order_detail", args=[self.pk])

    def compute_deadline(self, calendar: WorkingCalendar, policy: None) -> Deadline:
        return rules.order_reply_deadline(self.clock_start, working_days=self.reply_working_days, calendar=calendar)


@track_history()
class OrderItem(models.Model):
    """An item an order covers, with the item's deadline the order was issued for: one order per item and
    deadline, held by the database (the daily scan may run any number of times)."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="order_items")
    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="order_items")
    item_due_date = models.DateField(_("item's deadline"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "item_due_date"], name="order_once_per_item_and_deadline")
        ]

    def __str__(self):
        return f"{self.order_id} · {self.item_id}"


@track_history()
class Interview(models.Model):
    """约谈: a formal talk with those responsible for items whose order was not answered in time."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("town"))
    interviewee_name = models.CharField(_("interviewee"), max_length=100)
    interviewee_post = models.CharField(_("interviewee's post"), max_length=100)
    interviewee_unit = models.CharField(_("interviewee's unit"), max_length=200)
    interviewer = models.CharField(_("interviewed by"), max_length=200)
    held_on = models.DateField(_("held on"))
    minutes = models.TextField(_("minutes"))
    commitments = models.TextField(_("commitments"))
    new_deadline = models.DateField(_("new deadline"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    items = models.ManyToManyField(RectificationItem, through="InterviewItem", related_name="interviews")

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.interviewee_name} · {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("audits:interview_detail", args=[self.pk])


@track_history()
class InterviewItem(models.Model):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="interview_items")
    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="interview_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["interview", "item"], name="interview_item_once")]

    def __str__(self):
        return f"{self.interview_id} · {self.item_id}"


@track_history()
class Accountability(models.Model):
    """问责: a sanction against a person, recorded by the discipline commission; towns see their own."""

    person_name = models.CharField(_("person"), max_length=100)
    person_post = models.CharField(_("post"), max_length=100)
    unit = models.CharField(_("unit"), max_length=200)
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, null=True, blank=True, related_name="accountabilities",
        verbose_name=_("town"),
    )  # fmt: skip
    form = models.CharField(_("form"), max_length=30, choices=AccountabilityForm.choices)
    decided_on = models.DateField(_("decided on"))
    document_number = models.CharField(_("document number"), max_length=100)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    items = models.ManyToManyField(RectificationItem, through="AccountabilityItem", related_name="accountabilities")

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        ordering = ["-decided_on", "-pk"]

    def __str__(self):
        return f"{self.person_name} · {self.get_form_display()}"

    def get_absolute_url(self) -> str:
        return reverse("audits:accountability_detail", args=[self.pk])


@track_history()
class AccountabilityItem(models.Model):
    accountability = models.ForeignKey(Accountability, on_delete=models.CASCADE, related_name="accountability_items")
    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="accountability_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["accountability", "item"], name="accountability_item_once")]

    def __str__(self):
        return f"{self.accountability_id} · {self.item_id}"


@track_history()
class Bulletin(models.Model):
    """通报曝光 (point 18): a published bulletin of negative examples, visible to every logged-in user."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    units = models.TextField(_("units named"))
    published_on = models.DateField(_("published on"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    items = models.ManyToManyField(RectificationItem, through="BulletinItem", related_name="bulletins")

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-published_on", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("audits:bulletin_detail", args=[self.pk])


@track_history()
class BulletinItem(models.Model):
    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="bulletin_items")
    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="bulletin_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bulletin", "item"], name="bulletin_item_once")]

    def __str__(self):
        return f"{self.bulletin_id} · {self.item_id}"
