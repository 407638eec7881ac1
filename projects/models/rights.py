"""Property rights and assets (point 3): confirmation, the income right's shares, and controlled encumbrances."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from households.models import Household
from organisation.models import Village
from organisation.money import MONEY
from projects.models.project import IndustryProject


@track_history()
class PropertyRightConfirmation(models.Model):
    """产权确认: the certificate that confirms who owns a project's assets (every project built since 2014)."""

    project = models.OneToOneField(IndustryProject, on_delete=models.CASCADE, related_name="right_confirmation")
    certificate_number = models.CharField(_("certificate number"), max_length=60, unique=True)
    confirmed_on = models.DateField(_("confirmed on"))
    owner = models.CharField(_("owner confirmed"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("property-right confirmation")
        verbose_name_plural = _("property-right confirmations")
        ordering = ["-confirmed_on"]

    def __str__(self):
        return self.certificate_number


@track_history()
class IncomeShare(models.Model):
    """The income right: a beneficiary village (collective) or registered household and its share in percent."""

    project = models.ForeignKey(IndustryProject, on_delete=models.CASCADE, related_name="income_shares")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("income share")
        verbose_name_plural = _("income shares")
        ordering = ["project", "pk"]
        constraints = [
            models.CheckConstraint(
                name="income_share_one_beneficiary",
                condition=Q(village__isnull=False, household__isnull=True)
                | Q(village__isnull=True, household__isnull=False),
            ),
            models.CheckConstraint(
                name="income_share_percent_range", condition=Q(percent__gt=0) & Q(percent__lte=100)
            ),
            models.UniqueConstraint(
                fields=["project", "village"], condition=Q(village__isnull=False), name="income_share_village_once"
            ),
            models.UniqueConstraint(
                fields=["project", "household"],
                condition=Q(household__isnull=False),
                name="income_share_household_once",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.village or self.household} {self.percent}%"


class EncumbranceKind(models.TextChoices):
    MORTGAGE = "mortgage", _("Mortgage")
    GUARANTEE = "guarantee", _("Guarantee")


class EncumbranceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested, awaiting the district's approval")
    APPROVED = "approved", _("Approved and in force")
    REFUSED = "refused", _("Refused")
    RELEASED = "released", _("Released")


ACTIVE_ENCUMBRANCE = (EncumbranceStatus.REQUESTED, EncumbranceStatus.APPROVED)


@track_history()
class AssetEncumbrance(models.Model):
    """A mortgage or guarantee on a project's assets: strictly controlled, approved by the district only."""

    project = models.ForeignKey(IndustryProject, on_delete=models.PROTECT, related_name="encumbrances")
    kind = models.CharField(_("kind"), max_length=20, choices=EncumbranceKind.choices)
    creditor = models.CharField(_("creditor"), max_length=200)
    amount = models.DecimalField(_("amount secured (yuan)"), **MONEY)
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"), max_length=20, choices=EncumbranceStatus.choices, default=EncumbranceStatus.REQUESTED
    )
    requested_on = models.DateField(_("requested on"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        verbose_name = _("mortgage or guarantee")
        verbose_name_plural = _("mortgages and guarantees")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="encumbrance_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="encumbrance_released_dated",
                condition=Q(status=EncumbranceStatus.RELEASED, released_on__isnull=False)
                | (~Q(status=EncumbranceStatus.RELEASED) & Q(released_on__isnull=True)),
            ),
            models.CheckConstraint(
                name="encumbrance_decision_dated",
                condition=Q(status=EncumbranceStatus.REQUESTED)
                | Q(decided_on__isnull=False, decided_by__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.get_kind_display()} {self.amount}"
