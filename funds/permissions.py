"""Who may see and change which funds records: the funds app's role sets, its ``may_*`` checks and its one scope
function, :func:`funds_scope`.

Reach (which towns and villages) comes from ``organisation.scoping.restrict``; the step a user may do
(send, confirm, review, decide a loan) is the role's, checked by the services with ``organisation.scoping.may_act``.
District-level readers (the office, the finance bureau, the audit bureau and discipline commission)
read everything, with its history (point 6).
"""

from django.db.models import Exists, Model, OuterRef, QuerySet

from funds import models as m
from funds.choices import Hop, Unit
from organisation.actors import Actor
from organisation.roles import Role
from organisation.scoping import Access, has_district_reach, may_act, restrict, villages_for

# District-level roles that change funds records: the finance bureau records allocations and sends to
# towns. Everything else is done in the towns.
DISTRICT_WRITERS = frozenset({Role.DISTRICT_FINANCE})

# (town lookup, village lookup or None) from each kind of record.
PATHS: dict[type[Model], tuple[str, str | None]] = {
    m.Transfer: ("town", "village"),
    m.PaymentRequest: ("village__town", "village"),
    m.MonthlyReport: ("town", None),
    m.Holding: ("town", None),
    m.Loan: ("household__village__town", "household__village"),
    m.Installment: ("loan__household__village__town", "loan__household__village"),
    m.Repayment: ("loan__household__village__town", "loan__household__village"),
}

# The roles that act for each unit of the chain. Town staff may act for a village (the work plan: the
# village, or the town for it, submits the payment request and confirms the money arrived).
UNIT_ROLES: dict[Unit, frozenset[Role]] = {
    Unit.DISTRICT_FINANCE: frozenset({Role.DISTRICT_FINANCE}),
    Unit.TOWN_FINANCE: frozenset({Role.TOWN_FINANCE}),
    Unit.STATION: frozenset({Role.TOWN_STATION}),
    Unit.VILLAGE: frozenset({Role.VILLAGE_CLERK, Role.TOWN_STAFF}),
}
# Who enters microcredit applications and the bank's decisions for the households of their town.
LOAN_ROLES = frozenset({Role.TOWN_STAFF})
# Who submits a town's monthly report, and who accepts or returns it.
REPORT_ROLES = frozenset({Role.TOWN_FINANCE, Role.TOWN_STATION, Role.TOWN_STAFF})
REPORT_REVIEWERS = frozenset({Role.DISTRICT_OFFICE})
# Point 6: who may raise a finding on any funds record.
FINDING_ROLES = frozenset({Role.AUDIT})
# The funds policy (report due day, loan processing limit and caps) is the district office's.
POLICY_KEEPERS = frozenset({Role.DISTRICT_OFFICE})
# Who may start the overdue scan by hand ("run the scan now"); beat runs it every hour anyway.
SCAN_RUNNERS = frozenset({Role.DISTRICT_OFFICE})
# Who the scan tells of everything overdue in the district, and who besides is told of loans falling behind.
OVERDUE_WATCHERS = frozenset({Role.DISTRICT_OFFICE})
LOAN_RISK_WATCHERS = OVERDUE_WATCHERS | {Role.DISTRICT_FINANCE}
# The district office and the auditors follow the chain as counts (they do none of its steps).
CHAIN_COUNT_READERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})


def funds_scope(user: Actor, access: Access = Access.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The records of ``queryset`` (default: transfers) that ``user`` may see or change."""
    queryset = m.Transfer.objects.all() if queryset is None else queryset
    if queryset.model is m.Allocation:
        return _allocations(queryset, user, access)
    if queryset.model is m.SupervisionFinding:
        return queryset if has_district_reach(user, Access.VIEW) else queryset.none()
    town_path, village_path = PATHS[queryset.model]
    return restrict(
        queryset,
        user,
        access=access,
        town_path=town_path,
        village_path=village_path,
        district_writers=DISTRICT_WRITERS,
    )


def _allocations(queryset: QuerySet, user: Actor, access: Access) -> QuerySet:
    """Allocations are the district's: a town sees those allotted to it, and changes none."""
    if has_district_reach(user, access, DISTRICT_WRITERS):
        return queryset
    if access == Access.CHANGE:
        return queryset.none()
    # Allotted to a town the user reaches, or to the town of a village the user works for (a clerk
    # asks the station for money of the allocations of their town).
    # The towns as a literal list: as a subquery of the villages, the planner tried every allocation against the
    # transfers of each (a town's 240 allocations of the province's 465: 8 ms, with the list 1.6 ms).
    towns = sorted(set(villages_for(user, Access.VIEW).values_list("town_id", flat=True)))
    allotted = m.Transfer.objects.filter(hop=Hop.TO_TOWN, town__in=towns, allocation=OuterRef("pk"))
    return queryset.filter(Exists(allotted))


def may_act_for(user: Actor, unit: Unit) -> bool:
    return may_act(user, UNIT_ROLES[unit])


def may_enter_loans(user: Actor) -> bool:
    return may_act(user, LOAN_ROLES)


def may_run_overdue_scan(user: Actor) -> bool:
    return may_act(user, SCAN_RUNNERS)
