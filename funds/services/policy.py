from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from funds.models import FundsPolicy, Loan, LoanStatus, MonthlyReport
from funds.permissions import POLICY_KEEPERS
from organisation.deadlines import model_deadlines_recompute
from organisation.validation import role_require
from organisation.workdays import WorkingCalendar


@transaction.atomic
def funds_policy_save(*, user: User, policy: FundsPolicy, changed: list[str]) -> int:
    """Save the district office's figures; a new report due day or loan limit moves the open deadlines.

    Reports not yet submitted and applications not yet decided take the new rule; what was already done
    keeps the deadline it was judged by. Returns the number of deadlines that moved.
    """
    role_require(user, POLICY_KEEPERS)
    policy.save()
    moved = 0
    calendar = WorkingCalendar.load()
    if "report_due_working_day" in changed:
        moved += model_deadlines_recompute(MonthlyReport, Q(submitted_on__isnull=True), calendar)
    if "loan_processing_working_days" in changed:
        moved += model_deadlines_recompute(Loan, Q(status=LoanStatus.APPLIED), calendar)
    return moved
