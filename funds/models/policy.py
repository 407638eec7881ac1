"""The figures of the funds rules that the district office may set (one row, edited in the admin)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from organisation.money import MONEY


@track_history()
class FundsPolicy(models.Model):
    # Always 1: the policy is a single row, created with its defaults on first use.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    report_due_working_day = models.PositiveSmallIntegerField(
        _("monthly report due on working day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("A town's report on a month is due on this working day of the next month."),
    )
    loan_processing_working_days = models.PositiveSmallIntegerField(
        _("loan processing limit (working days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("限时办结: a microcredit application is decided within this many working days of being received."),
    )
    loan_max_amount = models.DecimalField(
        _("largest microcredit loan (yuan)"),
        **MONEY,
        default=Decimal("50000.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    loan_max_term_months = models.PositiveSmallIntegerField(
        _("longest microcredit term (months)"), default=36, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )

    class Meta:
        verbose_name = _("funds policy")
        verbose_name_plural = _("funds policy")
        constraints = [models.CheckConstraint(name="funds_policy_single_row", condition=models.Q(id=1))]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "FundsPolicy":
        """The policy row, or its defaults until the district office first saves it (reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls()
