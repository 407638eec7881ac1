"""Enterprises and cooperatives that operate projects or sign assistance agreements, and the blacklist (point 4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from organisation.models import Town
from organisation.money import MONEY


class EnterpriseKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    COOPERATIVE = "cooperative", _("Farmers' cooperative")
    FAMILY_FARM = "family_farm", _("Family farm or large grower")


@track_history()
class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EnterpriseKind.choices, default=EnterpriseKind.ENTERPRISE
    )
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, help_text=_("18 characters, on the licence.")
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="enterprises", null=True, blank=True, verbose_name=_("town")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("enterprise or cooperative")
        verbose_name_plural = _("enterprises and cooperatives")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="enterprise_credit_code_unique"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:enterprise_detail", args=[self.pk])


@track_history()
class BlacklistEntry(models.Model):
    """An enterprise put on the blacklist for breaking an agreement; lifting it is recorded on the same entry."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="blacklist_entries", verbose_name=_("enterprise")
    )
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("lifted by"),
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(lifted_on__isnull=True), name="blacklist_one_active_per_enterprise"
            ),
            models.CheckConstraint(
                name="blacklist_lift_complete",
                condition=Q(lifted_on__isnull=True, lifted_by__isnull=True)
                | (Q(lifted_on__isnull=False, lifted_by__isnull=False) & ~Q(lift_reason="")),
            ),
            models.CheckConstraint(name="blacklist_reason_given", condition=~Q(reason="")),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.decided_on}"


@track_history()
class AssistanceAgreement(models.Model):
    """帮扶协议: what an enterprise commits to (jobs, income share, purchases) for a town's poor households."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("enterprise")
    )
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="assistance_agreements", verbose_name=_("town")
    )
    project = models.ForeignKey(
        "projects.IndustryProject",
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
        verbose_name=_("project"),
    )
    number = models.CharField(_("agreement number"), max_length=60, blank=True)
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"))
    jobs_committed = models.PositiveIntegerField(_("jobs for poor households"), default=0)
    income_committed = models.DecimalField(_("income paid to the collective per year (yuan)"), **MONEY, default=0)
    purchases_committed = models.DecimalField(_("purchases from poor households per year (yuan)"), **MONEY, default=0)
    other_commitments = models.TextField(_("other commitments"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("assistance agreement")
        verbose_name_plural = _("assistance agreements")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="agreement_ends_after_signing", condition=Q(ends_on__gte=models.F("signed_on"))
            ),
            models.CheckConstraint(
                name="agreement_commitments_not_negative",
                condition=Q(income_committed__gte=0) & Q(purchases_committed__gte=0),
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.signed_on}"

    def get_absolute_url(self):
        return reverse("projects:agreement_detail", args=[self.pk])


@track_history()
class AgreementFulfilment(models.Model):
    """What the enterprise did in one year of the agreement, against its commitments."""

    agreement = models.ForeignKey(
        AssistanceAgreement, on_delete=models.CASCADE, related_name="fulfilments", verbose_name=_("agreement")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    jobs_provided = models.PositiveIntegerField(_("jobs provided"), default=0)
    income_paid = models.DecimalField(_("income paid (yuan)"), **MONEY, default=0)
    purchases_made = models.DecimalField(_("purchases made (yuan)"), **MONEY, default=0)
    note = models.TextField(_("note"), blank=True)
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("agreement fulfilment")
        verbose_name_plural = _("agreement fulfilments")
        ordering = ["agreement", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="fulfilment_one_per_year"),
            models.CheckConstraint(
                name="fulfilment_amounts_not_negative", condition=Q(income_paid__gte=0) & Q(purchases_made__gte=0)
            ),
        ]

    def __str__(self):
        return f"{self.agreement} {self.year}"
