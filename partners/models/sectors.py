"""Point 15: the sector departments (区扶贫开发领导小组成员单位), their three-year action plans 2018-2020 with
progress entered per quarter, and their pairings with poor villages (脱贫共建) with what they gave."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.choices import Quarter
from history.tracking import track_history
from organisation.models import Village
from organisation.money import MONEY
from partners.choices import PLAN_YEARS, SupportKind


@track_history()
class Department(models.Model):
    """A member unit of the district's leading group for poverty alleviation."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("sector department")
        verbose_name_plural = _("sector departments")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:department_detail", args=[self.pk])


@track_history()
class PlanTarget(models.Model):
    """One target of a department's three-year action plan for one year: a measure, its unit and the target."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="targets", verbose_name=_("sector department")
    )
    year = models.PositiveSmallIntegerField(_("year"), choices=[(year, str(year)) for year in PLAN_YEARS])
    measure = models.CharField(_("measure"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("action plan target")
        verbose_name_plural = _("action plan targets")
        ordering = ["department", "year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "measure"], name="partners_target_unique_measure"),
            models.CheckConstraint(condition=Q(target__gt=0), name="partners_target_positive"),
            models.CheckConstraint(condition=Q(year__gte=2018, year__lte=2020), name="partners_target_plan_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.measure}"


@track_history()
class TargetProgress(models.Model):
    """What was achieved towards a target in one quarter of its year."""

    target = models.ForeignKey(
        PlanTarget, on_delete=models.CASCADE, related_name="progress", verbose_name=_("action plan target")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices)
    achieved = models.DecimalField(_("achieved"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("quarterly progress")
        verbose_name_plural = _("quarterly progress")
        ordering = ["target", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["target", "quarter"], name="partners_progress_one_per_quarter"),
            models.CheckConstraint(condition=Q(achieved__gte=0), name="partners_progress_not_negative"),
        ]

    def __str__(self):
        return f"{self.target} Q{self.quarter}"


@track_history()
class Pairing(models.Model):
    """脱贫共建: a department paired with a poor village, from a day to a day (open while it lasts)."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("sector department")
    )
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="partners_pairing_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.department} — {self.village}"

    def get_absolute_url(self) -> str:
        return reverse("partners:pairing_detail", args=[self.pk])


@track_history()
class PairingSupport(models.Model):
    """One dated item a department gave its paired village: people sent, money in yuan, or materials (with value)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="support", verbose_name=_("pairing"))
    kind = models.CharField(_("kind"), max_length=20, choices=SupportKind.choices)
    given_on = models.DateField(_("given on"))
    people = models.PositiveIntegerField(_("people"), null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, null=True, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("pairing support")
        verbose_name_plural = _("pairing support")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="partners_support_matches_kind",
                condition=(
                    Q(kind=SupportKind.PEOPLE, people__gt=0, amount__isnull=True)
                    | Q(kind=SupportKind.MONEY, people__isnull=True, amount__gt=0)
                    | Q(kind=SupportKind.MATERIALS, people__isnull=True) & ~Q(description="")
                ),
            ),
        ]

    def __str__(self):
        return f"{self.pairing} {self.given_on}"
