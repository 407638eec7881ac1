"""The figures of the audits rules that the district office may set (one row, edited in the admin)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history


@track_history()
class AuditsPolicy(models.Model):
    # Always 1: the policy is a single row, created with its defaults on first use.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    item_working_days = models.PositiveSmallIntegerField(
        _("time limit of an item raised by the system (working days)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
        help_text=_("限期整改: an item the daily ledger scan raises is due this many working days after it."),
    )
    order_reply_working_days = models.PositiveSmallIntegerField(
        _("reply time of a supervision order (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("督办单: the addressed town replies within this many working days of the order."),
    )
    look_back_days = models.PositiveSmallIntegerField(
        _("look-back after close-off (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("回头看: a closed item is checked again this many days after its close-off."),
    )

    class Meta:
        verbose_name = _("audits policy")
        verbose_name_plural = _("audits policy")
        constraints = [models.CheckConstraint(name="audits_policy_single_row", condition=models.Q(id=1))]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "AuditsPolicy":
        """The policy row, or its defaults until the district office first saves it (reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls()
