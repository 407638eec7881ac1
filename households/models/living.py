"""Housing and drinking water (point 10)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from households.models.household import Household
from organisation.models import Village
from organisation.money import MONEY


@track_history()
class RenovationPlan(models.Model):
    """危房改造: the plan for a household whose house is grade C or D, tracked to completion."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="renovation_plans", verbose_name=_("household")
    )
    planned_start = models.DateField(_("planned start"))
    planned_completion = models.DateField(_("planned completion"))
    subsidy = models.DecimalField(_("subsidy (yuan)"), **MONEY, null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    accepted_grade = models.CharField(_("grade after renovation"), max_length=1, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("renovation plan")
        verbose_name_plural = _("renovation plans")
        ordering = ["household", "-planned_start"]
        constraints = [
            models.CheckConstraint(
                name="renovation_planned_ordered", condition=Q(planned_completion__gte=F("planned_start"))
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.planned_start}"


@track_history()
class WaterSupplySurvey(models.Model):
    """A village's drinking-water supply in a year: the counts behind three of point 10's four rates."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="water_surveys", verbose_name=_("village")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    households = models.PositiveIntegerField(_("households"))
    centralised_households = models.PositiveIntegerField(_("households on centralised supply"))
    tap_households = models.PositiveIntegerField(_("households with tap water"))
    guaranteed_households = models.PositiveIntegerField(_("households with guaranteed supply"))

    class Meta:
        verbose_name = _("water supply survey")
        verbose_name_plural = _("water supply surveys")
        ordering = ["village", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="water_survey_one_per_village_year"),
            models.CheckConstraint(
                name="water_survey_counts_within_households",
                condition=Q(centralised_households__lte=F("households"))
                & Q(tap_households__lte=F("households"))
                & Q(guaranteed_households__lte=F("households")),
            ),
        ]

    def __str__(self):
        return f"{self.village} {self.year}"


@track_history()
class WaterSample(models.Model):
    """One drinking-water sample taken in a village; the quality pass rate is counted from these."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="water_samples", verbose_name=_("village")
    )
    sampled_on = models.DateField(_("sampled on"))
    sampling_point = models.CharField(_("sampling point"), max_length=100)
    passed = models.BooleanField(_("meets the drinking-water standard"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("water sample")
        verbose_name_plural = _("water samples")
        ordering = ["village", "-sampled_on"]

    def __str__(self):
        return f"{self.village} {self.sampled_on}"
