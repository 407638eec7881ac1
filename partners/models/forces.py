"""Point 16: social forces and volunteers and their contributions; point 17: the 10.17 Poverty Alleviation Day
activities and commendations; point 15: the public's evaluations (社会监督评议)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from organisation.models import Town, Village
from organisation.money import MONEY
from partners.choices import CommendationStatus, ContributionKind, EvaluationStatus, ForceKind
from partners.models.sectors import Department
from partners.rules import phone_mask
from projects.models import IndustryProject


@track_history()
class SocialForce(models.Model):
    """An organisation, enterprise or individual from inside or outside the district that helps; its contact is
    private (shown masked)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ForceKind.choices)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    # The contact is private: the history tab shows it masked as the pages do.
    history_masked = {"phone": phone_mask}

    class Meta:
        verbose_name = _("social force")
        verbose_name_plural = _("social forces")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="partners_force_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:force_detail", args=[self.pk])


@track_history()
class Contribution(models.Model):
    """What a social force gave where: money, goods in kind (with their value) or volunteer hours, to a town, one of
    its villages, or a project."""

    force = models.ForeignKey(
        SocialForce, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("social force")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind.choices)
    given_on = models.DateField(_("given on"))
    amount = models.DecimalField(_("amount or value (yuan)"), **MONEY, null=True, blank=True)
    hours = models.DecimalField(_("volunteer hours"), max_digits=10, decimal_places=1, null=True, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    project = models.ForeignKey(
        IndustryProject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("industry project"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="partners_contribution_matches_kind",
                condition=(
                    Q(kind=ContributionKind.MONEY, amount__gt=0, hours__isnull=True)
                    | Q(kind=ContributionKind.GOODS, amount__gt=0, hours__isnull=True) & ~Q(description="")
                    | Q(kind=ContributionKind.HOURS, amount__isnull=True, hours__gt=0)
                ),
            ),
        ]

    def __str__(self):
        return f"{self.force} {self.given_on}"


@track_history()
class PovertyDayActivity(models.Model):
    """An activity of the 10.17 Poverty Alleviation Day (扶贫日) series of a year."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    organiser = models.CharField(_("organiser"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Poverty Alleviation Day activity")
        verbose_name_plural = _("Poverty Alleviation Day activities")
        ordering = ["-year", "held_on", "pk"]

    def __str__(self):
        return self.title


@track_history()
class Commendation(models.Model):
    """表扬奖励: a person, enterprise or organisation nominated for its contribution, approved (or not) by the
    district office; an approved one is published."""

    year = models.PositiveSmallIntegerField(_("year"))
    nominee_kind = models.CharField(_("nominee kind"), max_length=20, choices=ForceKind.choices)
    nominee = models.CharField(_("nominee"), max_length=100)
    reason = models.TextField(_("reason"))
    nominated_by = models.CharField(_("nominated by"), max_length=100)
    status = models.CharField(
        _("status"), max_length=20, choices=CommendationStatus.choices, default=CommendationStatus.NOMINATED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-year", "pk"]
        constraints = [
            models.CheckConstraint(
                name="partners_commendation_decided",
                condition=Q(status=CommendationStatus.NOMINATED, decided_by__isnull=True, decided_on__isnull=True)
                | ~Q(status=CommendationStatus.NOMINATED) & Q(decided_by__isnull=False, decided_on__isnull=False),
            ),
        ]

    def __str__(self):
        return self.nominee


@track_history()
class PublicEvaluation(models.Model):
    """社会监督评议: an evaluation or comment the public left on the public page, about a department's progress or in
    general; shown (as plain text) only after the district office publishes it, with its answer."""

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector department"),
    )
    author = models.CharField(_("your name (optional)"), max_length=50, blank=True)
    text = models.TextField(_("evaluation or comment"), max_length=2000)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.PENDING
    )
    answer = models.TextField(_("answer"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public evaluation")
        verbose_name_plural = _("public evaluations")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.submitted_at:%Y-%m-%d} {self.text[:20]}"
