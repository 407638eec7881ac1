"""Industry projects from proposal to operation (points 1-3): the project, its investment, its life.

States: proposal -> joint review -> publicity -> approved -> under construction -> completed (accepted)
-> operating, with suspended and converted as exits. The allowed moves and their conditions are in
``projects.services.lifecycle``; every move is a dated ``StatusChange`` by a named user.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from history.tracking import track_history
from households.models import Household
from organisation.models import Town, Village
from organisation.money import MONEY
from projects.models.enterprises import Enterprise
from projects.models.parks import IndustrialPark


class Category(models.TextChoices):
    FARMING = "farming", _("Specialty farming, breeding and processing")
    TOURISM = "tourism", _("Rural tourism")
    ECOMMERCE = "ecommerce", _("Rural e-commerce")
    PASTORAL = "pastoral", _("Pastoral complex")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    REVIEW = "review", _("Under joint review")
    PUBLICITY = "publicity", _("Under publicity")
    APPROVED = "approved", _("Approved")
    CONSTRUCTION = "construction", _("Under construction")
    COMPLETED = "completed", _("Completed and accepted")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CONVERTED = "converted", _("Converted")


class InvestmentSource(models.TextChoices):
    CENTRAL = "central", _("Central fiscal poverty-alleviation funds")
    PROVINCIAL = "provincial", _("Provincial fiscal funds")
    CITY = "city", _("City fiscal funds")
    DISTRICT = "district", _("District fiscal funds")
    COLLECTIVE = "collective", _("Village collective")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


@track_history()
class ProjectsPolicy(models.Model):
    """The figures of the projects rules the district office may set (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    publicity_days = models.PositiveSmallIntegerField(
        _("publicity period (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = _("projects policy")
        verbose_name_plural = _("projects policy")
        constraints = [models.CheckConstraint(name="projects_policy_single_row", condition=Q(id=1))]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ProjectsPolicy":
        """The policy row, or its defaults until the district office first saves it (reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls()


@track_history()
class IndustryProject(models.Model):
    code = models.CharField(_("project number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="industry_projects", verbose_name=_("town"))
    villages = models.ManyToManyField(Village, related_name="industry_projects", verbose_name=_("villages"))
    park = models.ForeignKey(
        IndustrialPark,
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
        verbose_name=_("industrial park"),
    )
    content = models.TextField(_("content"))
    scale = models.CharField(_("scale"), max_length=200)
    implementing_unit = models.CharField(_("implementing unit"), max_length=200)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"))
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSAL
    )
    # Each submission to the joint review is a new round; opinions belong to a round.
    review_round = models.PositiveSmallIntegerField(_("review round"), default=0, editable=False)
    construction_started_on = models.DateField(_("construction started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed and accepted on"), null=True, blank=True)
    operation_started_on = models.DateField(_("operation started on"), null=True, blank=True)
    # A project built before the system was in use, entered at its present state (point 3: since 2014).
    entered_as_existing = models.BooleanField(_("entered as an existing project"), default=False, editable=False)
    # The four rights (point 3). Ownership: usually the village collective.
    ownership_holder = models.CharField(_("owner (ownership right)"), max_length=200, default="村集体")
    operator_enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="operated_projects",
        null=True,
        blank=True,
        verbose_name=_("operator (enterprise or cooperative)"),
    )
    operator_household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="operated_projects",
        null=True,
        blank=True,
        verbose_name=_("operator (household)"),
    )
    # What the operator agreed to pay the owner each year; below it the operator is in arrears.
    agreed_annual_income = models.DecimalField(
        _("income agreed with the operator per year (yuan)"), **MONEY, null=True, blank=True
    )
    supervisor = models.CharField(_("supervisor (supervision right)"), max_length=200, default="镇经管站")
    three_assets_number = models.CharField(_("three-assets platform number"), max_length=60, blank=True)
    asset_registration_number = models.CharField(
        _("asset preservation registration number"), max_length=60, blank=True
    )
    asset_registered_on = models.DateField(_("asset preservation registered on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("industry project")
        verbose_name_plural = _("industry projects")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="project_one_operator",
                condition=Q(operator_enterprise__isnull=True) | Q(operator_household__isnull=True),
            ),
            # Point 3: every project is on the three-assets platform before it operates.
            models.CheckConstraint(
                name="project_operating_on_three_assets_platform",
                condition=~Q(status=ProjectStatus.OPERATING) | ~Q(three_assets_number=""),
            ),
            models.UniqueConstraint(
                fields=["three_assets_number"],
                condition=~Q(three_assets_number=""),
                name="project_three_assets_unique",
            ),
            models.UniqueConstraint(
                fields=["asset_registration_number"],
                condition=~Q(asset_registration_number=""),
                name="project_asset_registration_unique",
            ),
            models.CheckConstraint(
                name="project_agreed_income_not_negative",
                condition=Q(agreed_annual_income__isnull=True) | Q(agreed_annual_income__gte=0),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "town"], name="project_status_town"),
            models.Index(fields=["town", "-created_at"], name="project_town_recent"),
            # The district's list, newest first: without it each page sorted all 20,000 projects of a province.
            models.Index(fields=["-created_at", "-id"], name="project_recent"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])


@track_history()
class Investment(models.Model):
    """Money invested in a project, by source; the project's total investment is their sum."""

    project = models.ForeignKey(IndustryProject, on_delete=models.CASCADE, related_name="investments")
    source = models.CharField(_("source"), max_length=20, choices=InvestmentSource.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    invested_on = models.DateField(_("invested on"), null=True, blank=True)
    # An allocation of the funds chain this money came from, where it did.
    allocation = models.ForeignKey(
        "funds.Allocation",
        on_delete=models.PROTECT,
        related_name="project_investments",
        null=True,
        blank=True,
        verbose_name=_("allocation"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        ordering = ["project", "pk"]
        constraints = [models.CheckConstraint(name="investment_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.project.code} {self.get_source_display()} {self.amount}"


@track_history()
class StatusChange(models.Model):
    """Every move of a project's status: dated, by whom, why."""

    project = models.ForeignKey(IndustryProject, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        pgettext_lazy("status change", "from"), max_length=20, choices=ProjectStatus.choices, blank=True
    )
    to_status = models.CharField(pgettext_lazy("status change", "to"), max_length=20, choices=ProjectStatus.choices)
    changed_on = models.DateField(_("date"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["project", "recorded_at", "pk"]

    def __str__(self):
        return f"{self.project.code} {self.from_status} -> {self.to_status}"
