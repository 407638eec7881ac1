"""Point 6: the audit bureau and the discipline commission mark any record of the funds chain for a finding.

Stored now; the audits app turns a finding into an item of the rectification ledger.
"""

import functools
import operator

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.models.chain import Allocation, PaymentRequest, Transfer
from funds.models.loans import Loan
from history.tracking import track_history

SUBJECT_FIELDS = ("allocation", "transfer", "payment_request", "loan")


def _exactly_one_subject() -> Q:
    one_of = [Q(**{f"{name}__isnull": name != chosen for name in SUBJECT_FIELDS}) for chosen in SUBJECT_FIELDS]
    return functools.reduce(operator.or_, one_of)


@track_history()
class SupervisionFinding(models.Model):
    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="findings", null=True, blank=True
    )
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="findings", null=True, blank=True)
    payment_request = models.ForeignKey(
        PaymentRequest, on_delete=models.PROTECT, related_name="findings", null=True, blank=True
    )
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="findings", null=True, blank=True)
    note = models.TextField(_("what was found"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("supervision finding")
        verbose_name_plural = _("supervision findings")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="finding_exactly_one_subject", condition=_exactly_one_subject()),
        ]

    def __str__(self):
        return self.note[:50]

    @property
    def subject(self):
        return next(getattr(self, name) for name in SUBJECT_FIELDS if getattr(self, f"{name}_id"))
