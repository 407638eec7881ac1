"""The household file (建档立卡): the household, its members, its status history and yearly income."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Round
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from history.tracking import track_history
from households.choices import (
    Health,
    HouseholdAttribute,
    HouseholdStatus,
    HousingGrade,
    HousingStructure,
    IdentificationStandard,
    LabourAbility,
    PovertyCause,
    Relation,
    ReturnCause,
    SchoolStage,
    Sex,
    WaterSource,
)
from households.id_numbers import ID_NUMBER_PATTERN, id_number_mask
from organisation.models import Village
from organisation.money import MONEY


@track_history()
class PovertyLine(models.Model):
    """扶贫标准: the per-capita annual net income line of a year (reference data of the district office)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.DecimalField(_("per-capita annual income line (yuan)"), **MONEY, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(name="poverty_line_positive", condition=models.Q(amount__gt=0))]

    def __str__(self):
        return f"{self.year}: {self.amount}"


@track_history()
class DibaoStandard(models.Model):
    """农村低保标准 of a year, per person per year; point 8 wants it above that year's poverty line."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.DecimalField(_("rural dibao standard per person per year (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("rural dibao standard")
        verbose_name_plural = _("rural dibao standards")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(name="dibao_standard_positive", condition=models.Q(amount__gt=0))]

    def __str__(self):
        return f"{self.year}: {self.amount}"


@track_history(bulk=True)
class Household(models.Model):
    # Unique by the constraint in Meta, not unique=True: that would add a second index, for LIKE 'x%', that no query
    # uses and every insert pays for (households/migrations/0007).
    file_number = models.CharField(_("file number"), max_length=30)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("village")
    )
    group = models.CharField(_("villagers' group"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    identification_standard = models.CharField(
        _("identification standard"),
        max_length=20,
        choices=IdentificationStandard.choices,
        default=IdentificationStandard.NATIONAL,
    )
    attribute = models.CharField(
        _("household attribute"),
        max_length=20,
        choices=HouseholdAttribute.choices,
        default=HouseholdAttribute.ORDINARY,
    )
    main_cause = models.CharField(_("main poverty cause"), max_length=20, choices=PovertyCause.choices)
    other_causes = ArrayField(
        models.CharField(max_length=20, choices=PovertyCause.choices),
        verbose_name=_("other poverty causes"),
        default=list,
        blank=True,
        size=2,
    )
    year_identified = models.PositiveSmallIntegerField(_("year identified"))
    status = models.CharField(
        _("status"), max_length=20, choices=HouseholdStatus.choices, default=HouseholdStatus.NOT_OUT, editable=False
    )
    status_since = models.DateField(_("status since"), null=True, blank=True, editable=False)
    # 两不愁: recorded by the cadre's visit; the exit checklist reads it.
    food_and_clothing_secure = models.BooleanField(_("no worry about food and clothing"), default=False)
    # Living conditions (A21-A23) and housing safety.
    house_area = models.DecimalField(_("house area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    house_structure = models.CharField(
        _("house structure"), max_length=30, choices=HousingStructure.choices, blank=True
    )
    house_year_built = models.PositiveSmallIntegerField(_("year the house was built"), null=True, blank=True)
    housing_grade = models.CharField(_("housing safety grade"), max_length=1, choices=HousingGrade.choices, blank=True)
    housing_appraised_on = models.DateField(_("housing appraised on"), null=True, blank=True)
    water_source = models.CharField(_("drinking-water source"), max_length=20, choices=WaterSource.choices, blank=True)
    drinking_water_difficult = models.BooleanField(_("drinking water is difficult"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["file_number"]
        indexes = [models.Index(fields=["village", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["file_number"], name="households_household_file_number_key"),
            models.CheckConstraint(
                name="household_main_cause_not_repeated",
                condition=~models.Q(other_causes__contains=[models.F("main_cause")]),
            ),
        ]

    def __str__(self):
        return self.file_number

    def get_absolute_url(self):
        return reverse("households:household_detail", args=[self.pk])


@track_history()
class StatusEvent(models.Model):
    """A dated change of a household's status; the household's ``status`` is the latest of these."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="status_events", verbose_name=_("household")
    )
    status = models.CharField(_("status"), max_length=20, choices=HouseholdStatus.choices)
    effective_on = models.DateField(_("effective on"))
    return_cause = models.CharField(_("cause of return"), max_length=20, choices=ReturnCause.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["household", "effective_on", "id"]
        constraints = [
            # Point 12: a household returns to poverty through illness or disaster, and says which.
            models.CheckConstraint(
                name="status_event_return_has_cause",
                condition=~models.Q(status=HouseholdStatus.RETURNED) | ~models.Q(return_cause=""),
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.get_status_display()} {self.effective_on}"


@track_history(bulk=True)
class Member(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("household")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    # GB 11643, stored upper-case (a trailing x becomes X); one person, one household in the district: unique by the
    # constraint in Meta (like the household's file number).
    id_number = models.CharField(_("resident ID number"), max_length=18)
    relation = models.CharField(_("relation to the head"), max_length=20, choices=Relation.choices)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    education = models.CharField(_("education level"), max_length=30, blank=True)
    school_stage = models.CharField(
        _("school stage"), max_length=20, choices=SchoolStage.choices, blank=True, default=SchoolStage.NOT_IN_SCHOOL
    )
    health = models.CharField(_("health"), max_length=20, choices=Health.choices, default=Health.HEALTHY)
    disability_grade = models.PositiveSmallIntegerField(_("disability grade (1-4)"), null=True, blank=True)
    labour_ability = models.CharField(_("ability to work"), max_length=20, choices=LabourAbility.choices)
    migrant_worker = models.BooleanField(_("works away from home"), default=False)
    in_dibao = models.BooleanField(_("covered by dibao"), default=False)
    medical_insurance = models.BooleanField(_("in rural cooperative medical insurance"), default=True)
    pension_insurance = models.BooleanField(_("in basic pension insurance"), default=False)
    dropout_risk = models.BooleanField(_("at risk of dropping out"), default=False)

    # A member's changes show on the household's history tab, the ID number masked (history.selectors).
    history_of = "household"
    history_masked = {"id_number": id_number_mask}

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="households_member_id_number_key"),
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(relation=Relation.HEAD), name="member_one_head_per_household"
            ),
            models.CheckConstraint(
                name="member_id_number_upper_case", condition=models.Q(id_number__regex=f"^{ID_NUMBER_PATTERN}$")
            ),
            models.CheckConstraint(
                name="member_disability_grade_range",
                condition=models.Q(disability_grade__isnull=True) | models.Q(disability_grade__range=(1, 4)),
            ),
        ]

    def __str__(self):
        return self.name


@track_history()
class Income(models.Model):
    """A household's income of one year (A17-A20); per-capita net income is compared with the poverty line."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="incomes", verbose_name=_("household")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    wages = models.DecimalField(_("wage income"), **MONEY, default=Decimal("0"))
    business = models.DecimalField(_("household business income"), **MONEY, default=Decimal("0"))
    transfers = models.DecimalField(_("transfer income"), **MONEY, default=Decimal("0"))
    property_income = models.DecimalField(_("property income"), **MONEY, default=Decimal("0"))
    business_costs = models.DecimalField(_("business costs"), **MONEY, default=Decimal("0"))
    household_size = models.PositiveSmallIntegerField(_("household members counted"))
    net_income = models.DecimalField(_("net income"), **MONEY, editable=False)
    per_capita_net_income = models.DecimalField(_("per-capita net income"), **MONEY, editable=False)

    class Meta:
        verbose_name = _("income")
        verbose_name_plural = _("incomes")
        ordering = ["household", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_one_per_household_year"),
            models.CheckConstraint(name="income_household_size_positive", condition=models.Q(household_size__gt=0)),
            # The derived figures can never disagree with the parts, however a row was written.
            models.CheckConstraint(
                name="income_net_is_sum_of_parts",
                condition=models.Q(
                    net_income=F("wages") + F("business") + F("transfers") + F("property_income") - F("business_costs")
                ),
            ),
            models.CheckConstraint(
                name="income_per_capita_is_net_over_size",
                condition=models.Q(per_capita_net_income=Round(F("net_income") / F("household_size"), 2)),
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.year}"

    def compute_totals(self) -> None:
        """Set net and per-capita net income from the parts (A19 = A17 - A18; A20 = A19 / members)."""
        self.net_income = self.wages + self.business + self.transfers + self.property_income - self.business_costs
        self.per_capita_net_income = (self.net_income / self.household_size).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
