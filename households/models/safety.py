"""Safety nets (points 8 and 9): dibao, the special poverty insurance, hospital stays."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from households.models.household import Household, Member
from organisation.money import MONEY


@track_history()
class DibaoEnrolment(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="dibao_enrolments", verbose_name=_("household")
    )
    monthly_amount = models.DecimalField(_("monthly allowance (yuan)"), **MONEY)
    persons = models.PositiveSmallIntegerField(_("persons covered"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("dibao enrolment")
        verbose_name_plural = _("dibao enrolments")
        ordering = ["household", "-starts_on"]
        constraints = [
            models.CheckConstraint(name="dibao_amount_positive", condition=Q(monthly_amount__gt=0)),
            models.CheckConstraint(name="dibao_persons_positive", condition=Q(persons__gt=0)),
            models.CheckConstraint(
                name="dibao_period_ordered", condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on"))
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.starts_on}"


@track_history()
class InsuranceScheme(models.Model):
    """扶贫特惠保 of a year: per-capita funding, which point 9 says must not fall below the previous year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    per_capita_funding = models.DecimalField(_("per-capita funding (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("special poverty insurance scheme")
        verbose_name_plural = _("special poverty insurance schemes")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(name="insurance_funding_positive", condition=Q(per_capita_funding__gt=0))
        ]

    def __str__(self):
        return str(self.year)


@track_history()
class InsuranceEnrolment(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="insurance_enrolments", verbose_name=_("member")
    )
    scheme = models.ForeignKey(
        InsuranceScheme, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("scheme year")
    )

    class Meta:
        verbose_name = _("special poverty insurance enrolment")
        verbose_name_plural = _("special poverty insurance enrolments")
        constraints = [models.UniqueConstraint(fields=["member", "scheme"], name="insurance_once_per_member_year")]

    def __str__(self):
        return f"{self.member} {self.scheme}"


@track_history()
class HospitalStay(models.Model):
    """A hospital stay; point 9: at a designated hospital the self-paid share must stay under 10%."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="hospital_stays", verbose_name=_("member")
    )
    hospital = models.CharField(_("hospital"), max_length=100)
    designated = models.BooleanField(_("designated hospital"), default=True)
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    total_cost = models.DecimalField(_("total cost (yuan)"), **MONEY)
    self_paid = models.DecimalField(_("self-paid (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("hospital stay")
        verbose_name_plural = _("hospital stays")
        ordering = ["member", "-admitted_on"]
        constraints = [
            models.CheckConstraint(name="hospital_cost_positive", condition=Q(total_cost__gt=0)),
            models.CheckConstraint(
                name="hospital_self_paid_within_cost",
                condition=Q(self_paid__gte=0) & Q(self_paid__lte=F("total_cost")),
            ),
            models.CheckConstraint(
                name="hospital_stay_ordered",
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.hospital} {self.admitted_on}"
