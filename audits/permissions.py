"""Who may see and change which audits records: the audits app's role sets, its ``may_*`` checks and its one scope
function, :func:`audits_scope`.

District office: everything in the ledger; issues supervision orders and bulletins. Audit bureau and discipline
commission (one post): raise items from their work, record interviews and accountability, verify the close-off of
their items (read-only outside audits). Town staff: their town's items, measures, replies, evidence, close-off
requests, self-check items. Village clerks: read their village's items and add progress notes to measures assigned
to them. Everyone logged in reads the bulletins.
"""

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from audits import models as m
from audits.choices import EXTERNAL_SOURCES, Source
from organisation.actors import Actor
from organisation.roles import Role
from organisation.scoping import Access, has_district_reach, may_act, restrict

# District-level roles that change audits records (the audit post reads every other app only).
DISTRICT_WRITERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})
# Who raises an item by hand: the district bodies, and town staff for their town's self-check.
ITEM_RAISERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT, Role.TOWN_STAFF})
# Who keeps an item's measures, evidence and close-off request: the district office and the town.
ITEM_KEEPERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
# Who writes progress notes on measures: the keepers, and the village clerk a measure is assigned to.
PROGRESS_WRITERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF, Role.VILLAGE_CLERK})
# Who verifies a close-off and records its look-back (each item's source narrows it: close_off_roles below).
CLOSE_OFF_VERIFIERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})
# Who downloads an item's evidence (besides reaching the item): the district bodies, the town's staff, the clerk.
EVIDENCE_READERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT, Role.TOWN_STAFF, Role.VILLAGE_CLERK})
# Who issues supervision orders and publishes bulletins.
ORDER_ISSUERS = frozenset({Role.DISTRICT_OFFICE})
BULLETIN_PUBLISHERS = frozenset({Role.DISTRICT_OFFICE})
# Who answers an order for the addressed town.
ORDER_REPLIERS = frozenset({Role.TOWN_STAFF})
# Who records interviews and accountability (point 20), and plans and records inspections and audits (point 19).
INTERVIEW_RECORDERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})
ACCOUNTABILITY_RECORDERS = frozenset({Role.AUDIT})
SUPERVISION_PLANNERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})
# Who may start the daily ledger scan by hand ("run now").
LEDGER_SCAN_RUNNERS = frozenset({Role.DISTRICT_OFFICE})
# Who imports an inspection's or audit's list of problems from Excel (its rows may name any town).
LEDGER_IMPORTERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})

# (town lookup or None, village lookup or None) from each kind of record; None, None: district records only.
PATHS: dict[type[Model], tuple[str | None, str | None]] = {
    m.RectificationItem: ("town", "village"),
    m.Measure: ("item__town", "item__village"),
    m.ProgressNote: ("measure__item__town", "measure__item__village"),
    m.Evidence: ("item__town", "item__village"),
    m.LookBack: ("item__town", "item__village"),
    m.SupervisionOrder: ("town", None),
    m.OrderItem: ("order__town", None),
    m.Interview: ("town", None),
    m.Accountability: ("town", None),
    m.PlannedInspection: (None, None),
    m.AuditEngagement: (None, None),
    m.LedgerImport: (None, None),
}


def audits_scope(user: Actor, access: Access = Access.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The records of ``queryset`` (default: ledger items) that ``user`` may see or change."""
    queryset = m.RectificationItem.objects.all() if queryset is None else queryset
    if queryset.model is m.Bulletin:
        return _bulletins(queryset, user, access)
    town_path, village_path = PATHS[queryset.model]
    if town_path is None:
        return queryset if has_district_reach(user, access, DISTRICT_WRITERS) else queryset.none()
    return restrict(
        queryset,
        user,
        access=access,
        town_path=town_path,
        village_path=village_path,
        district_writers=DISTRICT_WRITERS,
    )


def _bulletins(queryset: QuerySet, user: Actor, access: Access) -> QuerySet:
    """Bulletins are published to everyone logged in; the district office keeps them."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if access == Access.VIEW or may_act(user, BULLETIN_PUBLISHERS):
        return queryset
    return queryset.none()


def may_raise_items(user: Actor) -> bool:
    return may_act(user, ITEM_RAISERS)


def may_issue_orders(user: Actor) -> bool:
    return may_act(user, ORDER_ISSUERS)


def may_run_ledger_scan(user: Actor) -> bool:
    return may_act(user, LEDGER_SCAN_RUNNERS)


# Who may close off an item of each kind of source (besides the separation of duties, which holds for all):
# items from outside inspections and audits are closed by the district office or the source's own body (the audit
# bureau and discipline commission share one post here); everything else by the district office.
EXTERNAL_CLOSE_OFF_BODY = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})
DEFAULT_CLOSE_OFF_BODY = frozenset({Role.DISTRICT_OFFICE})


def close_off_roles(source: str) -> frozenset[Role]:
    """The roles that may verify and close off an item of ``source`` (point 19: 审计反馈问题 are verified by the
    body that found them or the district office)."""
    return EXTERNAL_CLOSE_OFF_BODY if Source(source) in EXTERNAL_SOURCES else DEFAULT_CLOSE_OFF_BODY


def verifier_refusal(user: Actor, item: m.RectificationItem, *, separation: bool = True) -> str | None:
    """Why ``user`` may not verify ``item``'s close-off, or None: the level its source requires and (``separation``)
    the separation of duties, the verifier being neither the responsible person nor who asked for the close-off."""
    if not may_act(user, close_off_roles(item.source)):
        bodies = "、".join(str(role.label) for role in sorted(close_off_roles(item.source)))
        return _("An item of this source is closed off by: %(bodies)s.") % {"bodies": bodies}
    if separation and item.responsible_user_id == user.pk:
        return _("The responsible person cannot close off their own item: another person verifies it.")
    if separation and item.close_requested_by_id == user.pk:
        return _("Who asked for the close-off cannot verify it: another person verifies it.")
    return None


def may_import_ledger(user: Actor) -> bool:
    return may_act(user, LEDGER_IMPORTERS)
