"""Point 6: the audit bureau and the discipline commission raise a finding on any record of the funds chain."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funds.models import Allocation, Loan, PaymentRequest, SupervisionFinding, Transfer
from funds.permissions import FINDING_ROLES, funds_scope
from organisation.scoping import Access, may_act

# The records a finding may be raised on, by the name of the finding's field for it.
SUBJECT_MODELS = {
    "allocation": Allocation,
    "transfer": Transfer,
    "payment_request": PaymentRequest,
    "loan": Loan,
}


@transaction.atomic
def finding_raise(*, user: User, subject, note: str) -> SupervisionFinding:
    """Store a finding on ``subject``; the audits app links it into the rectification ledger."""
    if not may_act(user, FINDING_ROLES):
        raise PermissionDenied(_("Only the audit bureau and the discipline inspection commission raise findings."))
    field = next((name for name, model in SUBJECT_MODELS.items() if isinstance(subject, model)), None)
    if field is None:
        raise ValueError(f"No finding can be raised on a {type(subject).__name__}.")
    if not funds_scope(user, Access.VIEW, type(subject).objects.filter(pk=subject.pk)).exists():
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say what was found.")})
    return SupervisionFinding.objects.create(**{field: subject}, note=note.strip(), raised_by=user)
