"""Income a project's operator paid, and its distribution to the beneficiaries of the income right (收益分配).

The town's economic management station records both (it holds the supervision right, ``ASSET_KEEPERS``).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.rules import REGISTER_START_YEAR
from organisation.locking import locked_in_reach
from organisation.money import ZERO
from organisation.scoping import Access
from organisation.validation import role_require
from projects.models import IncomeDistribution, IncomeRecord, IncomeShare, IndustryProject, ProjectStatus
from projects.permissions import ASSET_KEEPERS, projects_scope

# A project brings income once built: completed and accepted, operating, or suspended or converted since.
EARNING_STATUSES = (
    ProjectStatus.COMPLETED,
    ProjectStatus.OPERATING,
    ProjectStatus.SUSPENDED,
    ProjectStatus.CONVERTED,
)
# Point 3 covers the projects built since 2014: no income of theirs is older.
FIRST_INCOME_DAY = dt.date(REGISTER_START_YEAR, 1, 1)
# Rent paid ahead is common; a period may start up to a year after the money arrived, no later.
ADVANCE_LIMIT = dt.timedelta(days=366)
CENT = Decimal("0.01")
FULL_SHARE = Decimal("100")


def _require_keeper(user: User) -> None:
    role_require(
        user, ASSET_KEEPERS, _("Only the town's economic management station records income and its distribution.")
    )


def _refuse_unless_keeper(user: User, project: IndustryProject) -> None:
    _require_keeper(user)
    if not projects_scope(user, Access.CHANGE).filter(pk=project.pk).exists():
        raise PermissionDenied(_("This project is not in your town."))


def income_record(
    *,
    user: User,
    project: IndustryProject,
    period_start: dt.date,
    period_end: dt.date,
    amount: Decimal,
    received_on: dt.date,
    payer: str,
    today: dt.date | None = None,
) -> IncomeRecord:
    """Record an income the operator paid for ``project``: how much, for which period, when it arrived, from whom."""
    _refuse_unless_keeper(user, project)
    today = today or timezone.localdate()
    if project.status not in EARNING_STATUSES:
        raise ValidationError(
            {
                "project": _("A project records income once it is built; this one is %(status)s.")
                % {"status": project.get_status_display()}
            }
        )
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    if received_on > today:
        errors["received_on"] = _("The day the money was received cannot be in the future.")
    elif received_on < FIRST_INCOME_DAY:
        errors["received_on"] = _("Income before 2014 is not recorded.")
    if period_end < period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    elif period_start > received_on + ADVANCE_LIMIT:
        errors["period_start"] = _("A payment is recorded at most a year ahead of the period it is for.")
    elif period_end < FIRST_INCOME_DAY:
        errors["period_end"] = _("Income for a period before 2014 is not recorded.")
    payer = (payer or "").strip()
    if not payer:
        errors["payer"] = _("Say who paid the income.")
    if errors:
        raise ValidationError(errors)
    return IncomeRecord.objects.create(
        project=project,
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        received_on=received_on,
        payer=payer,
        recorded_by=user,
    )


def distribution_amounts(amount: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Each share's part of ``amount`` in yuan and fen: ``amount * percent / 100`` rounded half up to 0.01, then
    the rounding difference (a few fen at most, either way) added to the largest share (the first of equal ones),
    so that the parts add up to the amount exactly and the largest beneficiary absorbs the fen."""
    parts = [(amount * percent / FULL_SHARE).quantize(CENT, rounding=ROUND_HALF_UP) for percent in percents]
    largest = max(range(len(percents)), key=lambda index: (percents[index], -index))
    parts[largest] += amount - sum(parts, ZERO)
    return parts


@transaction.atomic
def income_distribute(*, user: User, income: IncomeRecord) -> list[IncomeDistribution]:
    """Split ``income`` among the project's income shares, replacing any earlier split of it not yet paid."""
    _require_keeper(user)
    # Locked: two distributions of the same income at once would both delete and insert.
    income = locked_in_reach(projects_scope, user, income, message=_("This project is not in your town."))
    project = income.project
    shares = list(IncomeShare.objects.filter(project=project).order_by("pk"))
    if not shares:
        raise ValidationError(
            _("The project has no income shares: record who holds the income right before distributing income.")
        )
    total = sum((share.percent for share in shares), Decimal("0"))
    if total != FULL_SHARE:
        raise ValidationError(
            _("The income shares add up to %(total)s%%, not 100%%: correct them before distributing income.")
            % {"total": total}
        )
    if income.distributions.filter(paid_on__isnull=False).exists():
        raise ValidationError(
            _("Part of this income has been paid out already: its distribution can no longer change.")
        )
    income.distributions.all().delete()
    parts = distribution_amounts(income.amount, [share.percent for share in shares])
    return IncomeDistribution.objects.bulk_create(
        [
            IncomeDistribution(
                income=income, village_id=share.village_id, household_id=share.household_id, amount=part
            )
            for share, part in zip(shares, parts, strict=True)
        ]
    )


@transaction.atomic
def income_distribution_mark_paid(
    *, user: User, income: IncomeRecord, paid_on: dt.date, today: dt.date | None = None
) -> int:
    """Record that every part of ``income`` not yet paid was paid on ``paid_on``; the number of parts marked."""
    _refuse_unless_keeper(user, income.project)
    today = today or timezone.localdate()
    if paid_on > today:
        raise ValidationError({"paid_on": _("The day paid cannot be in the future.")})
    if paid_on < income.received_on:
        raise ValidationError(
            {
                "paid_on": _("Income is paid out after it was received (%(date)s).")
                % {"date": income.received_on.isoformat()}
            }
        )
    unpaid = IncomeDistribution.objects.select_for_update().filter(income=income, paid_on__isnull=True)
    if not unpaid.exists():
        raise ValidationError(_("Nothing of this income is waiting to be paid: distribute it first."))
    return unpaid.update(paid_on=paid_on)
