"""Joint review by the committee's member departments, and publicity before approval (point 2)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from organisation.money import MONEY
from projects.models.project import IndustryProject


@track_history()
class ReviewDepartment(models.Model):
    """A member department of the project review committee (finance, audit, agriculture, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_member = models.BooleanField(
        _("sits on the committee"), default=True, help_text=_("Only current members' opinions are needed.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("review department")
        verbose_name_plural = _("review departments")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Opinion(models.TextChoices):
    AGREE = "agree", _("Agree")
    AGREE_WITH_CONDITIONS = "conditional", _("Agree with conditions")
    DISAGREE = "disagree", _("Disagree")


@track_history()
class ReviewOpinion(models.Model):
    project = models.ForeignKey(IndustryProject, on_delete=models.CASCADE, related_name="review_opinions")
    review_round = models.PositiveSmallIntegerField(_("review round"))
    department = models.ForeignKey(ReviewDepartment, on_delete=models.PROTECT, related_name="opinions")
    opinion = models.CharField(_("opinion"), max_length=20, choices=Opinion.choices)
    comments = models.TextField(_("comments"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("review opinion")
        verbose_name_plural = _("review opinions")
        ordering = ["project", "review_round", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "review_round", "department"], name="review_opinion_one_per_department"
            ),
            # A disagreement or a condition is explained.
            models.CheckConstraint(
                name="review_opinion_reasoned", condition=Q(opinion=Opinion.AGREE) | ~Q(comments="")
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.department} {self.opinion}"


@track_history()
class Publicity(models.Model):
    """公示: the project's content, scale and deadline shown on the public page for a period."""

    project = models.ForeignKey(IndustryProject, on_delete=models.CASCADE, related_name="publicities")
    starts_on = models.DateField(_("publicity starts on"))
    ends_on = models.DateField(_("publicity ends on"))
    # What was published, as it was: the project may change later.
    content = models.TextField(_("content published"))
    scale = models.CharField(_("scale published"), max_length=200)
    planned_completion = models.DateField(_("completion date published"))
    total_investment = models.DecimalField(_("investment published (yuan)"), **MONEY)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("publicity")
        verbose_name_plural = _("publicities")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="publicity_period_ordered", condition=Q(ends_on__gte=F("starts_on")))
        ]

    def __str__(self):
        return f"{self.project.code} {self.starts_on}–{self.ends_on}"


@track_history()
class Objection(models.Model):
    """An objection received during publicity; it must be answered before the project is approved."""

    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("received on"))
    # Who objected is kept for the answer and never shown on the public page.
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)
    content = models.TextField(_("objection"))
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["publicity", "received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="objection_answer_complete",
                condition=Q(answered_on__isnull=True, answered_by__isnull=True, answer="")
                | (Q(answered_on__isnull=False, answered_by__isnull=False) & ~Q(answer="")),
            )
        ]

    def __str__(self):
        return f"{self.publicity.project.code} {self.received_on}"
