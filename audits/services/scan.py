"""The daily ledger scan (point 20: 督办单, 约谈, 限期整改; point 19: 回头看), where the other apps' signals end up.

Run every morning by ``audits.tasks.scan_ledger`` (jobs/schedules.py) and by the district office's "run now":

a. every signal of the other apps becomes a ledger item, one per source record and never two (the item's
   one-to-one field holds it): transfers and monthly reports the funds scan flagged overdue, the audit post's
   findings on funds records, open data-quality problems, the rectification plans of weak, idle or struggling
   projects, and loans with a risk warning;
b. an open item past its deadline (its close-off not asked for) gets a supervision order, one per town and run
   covering that town's items not yet ordered for their current deadline (``OrderItem`` is unique on the item and the
   deadline: once per deadline);
c. an order whose reply deadline passed unanswered flags its open items for an interview (约谈) where not flagged
   already; only an interview record clears the flag (``audits.services.supervision.interview_record``);
d. a look-back come due is reminded to the item's verifier and the district office, once (``reminded_at``).

Each step is one transaction of a few statements whatever the number of records: a select of what is new (the
anti-join on what exists), the rows written in bulk, the names read once, the notices in batches. Two scans at once
queue on a transaction lock, so the second finds nothing left to do; a second scan writes and notifies nothing.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits import numbering, rules
from audits.choices import Category, ItemStatus, Source
from audits.models import AuditsPolicy, LookBack, OrderItem, RectificationItem, SupervisionOrder
from audits.orders import OrderDraft, order_notice, orders_write
from audits.permissions import LEDGER_SCAN_RUNNERS
from funds.choices import SENDER, Hop, Unit
from funds.models import Loan, MonthlyReport, SupervisionFinding, Transfer
from history.context import history_context
from history.tracking import history_plans_forget
from households.models import QualityProblem
from notifications.services import Notice, notice_group, notices_grouped, notices_send, staff_of
from organisation.enqueue import enqueue_on_commit
from organisation.models import Town
from organisation.money import money_text
from organisation.roles import Role
from organisation.validation import role_require
from organisation.workdays import WorkingCalendar
from projects.models import PlanStatus, RectificationPlan, YieldClass

logger = logging.getLogger(__name__)
# A row of ``values()``: read by column name.
Row = Mapping[str, Any]

BATCH_SIZE = 1000
# Any fixed number: the transaction lock two scans queue on (pg_advisory_xact_lock).
SCAN_LOCK = 0x4C454447  # "LEDG"


@dataclass
class LedgerScanResult:
    """What one scan did, per step: items raised per kind of signal, orders issued (and the items they cover),
    items flagged for an interview, look-backs reminded, and notifications written."""

    transfers: int = 0
    reports: int = 0
    findings: int = 0
    quality_problems: int = 0
    rectification_plans: int = 0
    loans: int = 0
    orders: int = 0
    ordered_items: int = 0
    interview_flags: int = 0
    look_back_reminders: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def ledger_scan(*, today: dt.date | None = None) -> LedgerScanResult:
    """Raise the new signals as items, order what is past its deadline, flag what needs an interview, remind the
    look-backs due; each step in a transaction of its own."""
    today = today or timezone.localdate()
    result = LedgerScanResult()
    staff = _Staff()
    # Items and notices are stored text: in the site's language, whoever or whatever started the scan.
    with history_context(job="ledger_scan"), translation.override(settings.LANGUAGE_CODE):
        history_plans_forget()  # also run outside a worker task: by the benchmark
        for step in (_signals_raise, _overdue_order, _interviews_flag, _look_backs_remind):
            with transaction.atomic():
                _scan_lock()
                notices = step(today=today, result=result, staff=staff)
                result.notifications += notices_send(notices)
    return result


def ledger_scan_request(*, user: User, report: Callable[[bool], None] | None = None) -> None:
    """ "Run the scan now": queue the scan once the request's transaction has committed. ``report(queued)`` is told
    whether the queue took it: a broker that is down is logged and reported, never an error page."""
    role_require(user, LEDGER_SCAN_RUNNERS, _("Only the district office runs the ledger scan by hand."))
    # Imported here: the task module imports this one.
    from audits.tasks import scan_ledger

    enqueue_on_commit(
        scan_ledger,
        on_sent=None if report is None else lambda: report(True),
        on_refused=None if report is None else lambda _message: report(False),
    )


class _Staff:
    """Who holds which role where, read once per role and scan."""

    def __init__(self):
        self._by_role: dict[Role, dict[int | None, set[int]]] = {}

    def users(self, role: Role, town_id: int | None = None) -> set[int]:
        if role not in self._by_role:
            self._by_role[role] = staff_of(roles=[role])
        by_town = self._by_role[role]
        return by_town.get(None, set()) | (by_town.get(town_id, set()) if town_id is not None else set())


def _scan_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK])


# --- a. New signals -> items ----------------------------------------------------------------------------------------


@dataclass
class _Signal:
    """One source record about to become an item."""

    source: Source
    link: dict
    category: str
    town_id: int
    village_id: int | None
    description: str
    responsible_unit: str = ""
    values: dict = field(default_factory=dict)


def _signals_raise(*, today: dt.date, result: LedgerScanResult, staff: _Staff) -> list[Notice]:
    without_item = {"ledger_item__isnull": True}
    transfers: list[Row] = list(
        Transfer.objects.filter(overdue_flagged_at__isnull=False, **without_item)
        .order_by("pk")
        .values("pk", "hop", "town_id", "village_id", "amount", "due_date", "allocation__document_number")
    )
    reports: list[Row] = list(
        MonthlyReport.objects.filter(overdue_flagged_at__isnull=False, **without_item)
        .order_by("pk")
        .values("pk", "town_id", "month", "due_date")
    )
    findings: list[Row] = list(
        SupervisionFinding.objects.filter(**without_item)
        .annotate(
            town_ref=Coalesce(
                "transfer__town_id", "payment_request__village__town_id", "loan__household__village__town_id"
            ),
            village_ref=Coalesce("transfer__village_id", "payment_request__village_id", "loan__household__village_id"),
        )
        # A finding on an allocation is the district's, of no town: it stays the audit post's note on the funds page.
        .filter(town_ref__isnull=False)
        .order_by("pk")
        .values("pk", "note", "town_ref", "village_ref", "allocation__document_number", "raised_at")
    )
    problems: list[Row] = list(
        QualityProblem.objects.filter(resolved_at__isnull=True, **without_item)
        .order_by("pk")
        .values("pk", "town_id", "household__village_id", "household__file_number", "problem_class", "detail")
    )
    plans: list[Row] = list(
        RectificationPlan.objects.exclude(status=PlanStatus.COMPLETED)
        .filter(**without_item)
        .order_by("pk")
        .values("pk", "project__town_id", "project__name", "assessment__classification", "responsible_unit")
    )
    loans: list[Row] = list(
        Loan.objects.filter(risk_flagged_at__isnull=False, **without_item)
        .order_by("pk")
        .values("pk", "household__village__town_id", "household__village_id", "borrower__name", "amount", "repaid")
    )
    if not (transfers or reports or findings or problems or plans or loans):
        return []
    towns = dict(Town.objects.values_list("pk", "name"))
    hops = {hop: str(hop.label) for hop in Hop}
    unit_of_hop = {
        Unit.DISTRICT_FINANCE: lambda town: _("District finance bureau"),
        Unit.TOWN_FINANCE: lambda town: _("%(town)s finance office") % {"town": town},
        Unit.STATION: lambda town: _("%(town)s economic management station") % {"town": town},
    }
    yield_classes = {value: str(label) for value, label in YieldClass.choices}
    signals: list[_Signal] = []
    for row in transfers:
        town = towns[row["town_id"]]
        values = {
            "hop": hops[Hop(row["hop"])],
            "document": row["allocation__document_number"],
            "amount": money_text(row["amount"]),
            "due": row["due_date"].isoformat(),
        }
        signals.append(
            _Signal(
                Source.OVERDUE_TRANSFER,
                {"transfer_id": row["pk"]},
                Category.FUNDS,
                row["town_id"],
                row["village_id"],
                _("Transfer not sent by its due day %(due)s: %(hop)s, allocation %(document)s, %(amount)s yuan.")
                % values,
                unit_of_hop[SENDER[Hop(row["hop"])]](town),
            )
        )
    result.transfers = len(transfers)
    for row in reports:
        town = towns[row["town_id"]]
        values = {"month": f"{row['month']:%Y-%m}", "due": row["due_date"].isoformat()}
        signals.append(
            _Signal(
                Source.LATE_MONTHLY_REPORT,
                {"monthly_report_id": row["pk"]},
                Category.FUNDS,
                row["town_id"],
                None,
                _("Monthly fund-usage report for %(month)s not submitted by its due day %(due)s.") % values,
                _("%(town)s finance office") % {"town": town},
            )
        )
    result.reports = len(reports)
    for row in findings:
        signals.append(
            _Signal(
                Source.SUPERVISION_FINDING,
                {"finding_id": row["pk"]},
                Category.FUNDS,
                row["town_ref"],
                row["village_ref"],
                _("Finding of the audit post on %(date)s: %(note)s")
                % {"date": timezone.localdate(row["raised_at"]).isoformat(), "note": row["note"]},
                _("%(town)s government") % {"town": towns[row["town_ref"]]},
            )
        )
    result.findings = len(findings)
    for row in problems:
        signals.append(
            _Signal(
                Source.DATA_QUALITY,
                {"quality_problem_id": row["pk"]},
                # The four classes of point 19 are the ledger's first four categories, by the same values.
                Category(row["problem_class"]),
                row["town_id"],
                row["household__village_id"],
                _("Data-quality problem in household file %(file_number)s: %(detail)s")
                % {"file_number": row["household__file_number"], "detail": row["detail"]},
                _("%(town)s government") % {"town": towns[row["town_id"]]},
            )
        )
    result.quality_problems = len(problems)
    for row in plans:
        values = {
            "project": row["project__name"],
            "class": yield_classes.get(row["assessment__classification"], _("below the yield floor")),
        }
        signals.append(
            _Signal(
                Source.WEAK_PROJECT,
                {"rectification_plan_id": row["pk"]},
                Category.PROJECTS,
                row["project__town_id"],
                None,
                _("Project %(project)s (%(class)s): its rectification plan is to be carried out.") % values,
                row["responsible_unit"] or _("%(town)s government") % {"town": towns[row["project__town_id"]]},
            )
        )
    result.rectification_plans = len(plans)
    for row in loans:
        values = {"borrower": row["borrower__name"], "outstanding": money_text(row["amount"] - row["repaid"])}
        signals.append(
            _Signal(
                Source.LOAN_RISK,
                {"loan_id": row["pk"]},
                Category.FUNDS,
                row["household__village__town_id"],
                row["household__village_id"],
                _("Microcredit loan of %(borrower)s has a risk warning: %(outstanding)s yuan outstanding.") % values,
                _("%(town)s government") % {"town": towns[row["household__village__town_id"]]},
            )
        )
    result.loans = len(loans)
    created = _items_create(signals, today=today)
    return _items_raised_notices(created, towns=towns, staff=staff)


def _items_create(signals: list[_Signal], *, today: dt.date) -> list[Row]:
    """Write one item per signal, numbered in one take, all due on the same day; the items written."""
    policy = AuditsPolicy.current()
    deadline = rules.item_deadline(today, working_days=policy.item_working_days, calendar=WorkingCalendar.load())
    numbers = numbering.numbers_take(kind=numbering.ITEM, year=today.year, count=len(signals))
    person = _("To be named by the responsible unit")
    RectificationItem.objects.bulk_create(
        [
            RectificationItem(
                year=today.year,
                sequence=sequence,
                source=signal.source,
                category=signal.category,
                town_id=signal.town_id,
                village_id=signal.village_id,
                description=signal.description,
                responsible_unit=signal.responsible_unit,
                responsible_person=person,
                time_limit_working_days=policy.item_working_days,
                clock_start=today,
                due_date=deadline.due_date,
                due_is_provisional=deadline.provisional,
                **signal.link,
            )
            for signal, sequence in zip(signals, numbers, strict=True)
        ],
        batch_size=BATCH_SIZE,
        # The one-to-one fields hold "one item per source record" against an item raised by hand meanwhile.
        ignore_conflicts=True,
    )
    created: list[Row] = list(
        RectificationItem.objects.filter(year=today.year, sequence__in=numbers)
        .order_by("sequence")
        .values("pk", "town_id", "year", "sequence", "due_date")
    )
    return created


def _items_raised_notices(created: list[Row], *, towns: dict[int, str], staff: _Staff) -> list[Notice]:
    """One notice per town: its staff and the district office learn of the town's new items."""
    office = staff.users(Role.DISTRICT_OFFICE)
    url = reverse("audits:item_list")
    intro = _("The daily ledger scan raised items of the rectification ledger from the system's signals.")

    def single(town_rows: tuple[int, list[Row]], recipients: frozenset[int]) -> Notice:
        town_id, rows = town_rows
        values = {"town": towns[town_id], "count": len(rows), "numbers": _numbers(rows), "due": rows[0]["due_date"]}
        return Notice(
            key=f"audits.items.raised:{town_id}:{rows[0]['pk']}",
            subject=_("%(count)s new ledger items for %(town)s") % values,
            body="\n".join([intro, _("Items: %(numbers)s") % values, _("Due date: %(due)s") % values]),
            url=f"{url}?town={town_id}",
            recipient_ids=recipients,
        )

    line = _("%(town)s: %(count)s items")
    grouped: Callable[[list[tuple[int, list[Row]]], frozenset[int]], Notice] = notice_group(
        kind="audits.items.raised.towns",
        subject=lambda count: ngettext(
            "New ledger items for %(count)s town", "New ledger items for %(count)s towns", count
        ),
        intro=intro,
        line=lambda town_rows: line % {"town": towns[town_rows[0]], "count": len(town_rows[1])},
        url=lambda _groups: url,
        record=lambda town_rows: f"{town_rows[0]}:{town_rows[1][0]['pk']}",
    )
    return notices_grouped(
        list(_by_town(created).items()),
        recipients=lambda town_rows: staff.users(Role.TOWN_STAFF, town_rows[0]) | office,
        single=single,
        grouped=grouped,
    )


def _by_town(rows: list[Row]) -> dict[int, list[Row]]:
    by_town: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_town[row["town_id"]].append(row)
    return by_town


def _numbers(rows: list[Row]) -> str:
    """The items' numbers, as a list in a notice."""
    return "、".join(rules.item_number(row["year"], row["sequence"]) for row in rows)


# --- b. Items past their deadline -> supervision orders -------------------------------------------------------------


def _overdue_order(*, today: dt.date, result: LedgerScanResult, staff: _Staff) -> list[Notice]:
    ordered = OrderItem.objects.filter(item=OuterRef("pk"), item_due_date=OuterRef("due_date"))
    # An item whose close-off was asked for waits on its verifier, not on the town: it is not ordered.
    items = list(
        RectificationItem.objects.filter(status=ItemStatus.OPEN, due_date__lt=today)
        .filter(~Exists(ordered))
        .select_related("town")
        .order_by("town_id", "due_date", "pk")
    )
    if not items:
        return []
    by_town: dict[int, list[RectificationItem]] = defaultdict(list)
    for item in items:
        by_town[item.town_id].append(item)
    requirement = _(
        "The items below are past their rectification deadline. Rectify them and reply in writing by the reply "
        "deadline, saying what was done and by when the rest will be done."
    )
    drafts = [
        OrderDraft(
            town=rows[0].town,
            addressee=_("Party committee and government of %(town)s") % {"town": rows[0].town.name},
            requirement=requirement,
            items=rows,
        )
        for rows in by_town.values()
    ]
    orders = orders_write(drafts=drafts, issued_on=today, issued_by=None)
    result.orders, result.ordered_items = len(orders), len(items)
    office = staff.users(Role.DISTRICT_OFFICE)
    base = reverse("audits:order_list")
    line = _("%(number)s to %(town)s: %(count)s items")

    def url(group: list) -> str:
        query = {"issued_from": today.isoformat(), "issued_to": today.isoformat()}
        if len({order.town_id for order in group}) == 1:
            query["town"] = str(group[0].town_id)
        return f"{base}?{urlencode(query)}"

    counts = {order.pk: len(draft.items) for order, draft in zip(orders, drafts, strict=True)}
    grouped: Callable[[list[SupervisionOrder], frozenset[int]], Notice] = notice_group(
        kind="audits.orders",
        subject=lambda count: ngettext(
            "%(count)s supervision order issued for items past their deadline",
            "%(count)s supervision orders issued for items past their deadline",
            count,
        ),
        intro=requirement,
        line=lambda order: line % {"number": order.number, "town": order.town.name, "count": counts[order.pk]},
        url=url,
        record=lambda order: order.pk,
    )
    return notices_grouped(
        orders,
        recipients=lambda order: staff.users(Role.TOWN_STAFF, order.town_id) | office,
        single=lambda order, recipients: order_notice(order, recipients),
        grouped=grouped,
    )


# --- c. Orders past their reply deadline -> interview flags ----------------------------------------------------------


def _interviews_flag(*, today: dt.date, result: LedgerScanResult, staff: _Staff) -> list[Notice]:
    # Only an order for the item's current deadline counts: an interview moves the deadline, and the old order's
    # missed reply then no longer flags the item.
    unanswered = OrderItem.objects.filter(
        item=OuterRef("pk"),
        item_due_date=OuterRef("due_date"),
        order__replied_on__isnull=True,
        order__due_date__lt=today,
    )
    flagged: list[Row] = list(
        RectificationItem.objects.filter(interview_due_since__isnull=True)
        .exclude(status=ItemStatus.CLOSED)
        .filter(Exists(unanswered))
        .order_by("town_id", "pk")
        .values("pk", "town_id", "town__name", "year", "sequence")
    )
    if not flagged:
        return []
    RectificationItem.objects.filter(pk__in=[row["pk"] for row in flagged]).update(interview_due_since=today)
    result.interview_flags = len(flagged)
    office = staff.users(Role.DISTRICT_OFFICE) | staff.users(Role.AUDIT)
    url = reverse("audits:interview_list")
    intro = _("The reply deadline of a supervision order passed without a reply; an interview is due.")

    def single(town_rows: tuple[int, list[Row]], recipients: frozenset[int]) -> Notice:
        town_id, rows = town_rows
        values = {"town": rows[0]["town__name"], "numbers": _numbers(rows)}
        return Notice(
            key=f"audits.interview.due:{town_id}:{rows[0]['pk']}",
            subject=_("Interview due: %(town)s did not reply to a supervision order in time") % values,
            body="\n".join([intro, _("Items: %(numbers)s") % values]),
            url=url,
            recipient_ids=recipients,
        )

    line = _("%(town)s: items %(numbers)s")
    grouped: Callable[[list[tuple[int, list[Row]]], frozenset[int]], Notice] = notice_group(
        kind="audits.interviews.due",
        subject=lambda count: ngettext(
            "Interviews due: %(count)s town did not reply to supervision orders in time",
            "Interviews due: %(count)s towns did not reply to supervision orders in time",
            count,
        ),
        intro=intro,
        line=lambda town_rows: line % {"town": town_rows[1][0]["town__name"], "numbers": _numbers(town_rows[1])},
        url=lambda _groups: url,
        record=lambda town_rows: f"{town_rows[0]}:{town_rows[1][0]['pk']}",
    )
    return notices_grouped(
        list(_by_town(flagged).items()), recipients=lambda _town_rows: office, single=single, grouped=grouped
    )


# --- d. Look-backs due -> reminders ---------------------------------------------------------------------------------


def _look_backs_remind(*, today: dt.date, result: LedgerScanResult, staff: _Staff) -> list[Notice]:
    due: list[Row] = list(
        LookBack.objects.filter(outcome="", reminded_at__isnull=True, due_date__lte=today)
        .order_by("due_date", "pk")
        .values("pk", "item_id", "item__year", "item__sequence", "item__closed_by_id", "item__town__name", "due_date")
    )
    if not due:
        return []
    LookBack.objects.filter(pk__in=[row["pk"] for row in due]).update(reminded_at=timezone.now())
    result.look_back_reminders = len(due)
    office = staff.users(Role.DISTRICT_OFFICE)

    def values(row: Row) -> dict:
        return {
            "number": rules.item_number(row["item__year"], row["item__sequence"]),
            "town": row["item__town__name"],
            "due": str(row["due_date"]),
        }

    def single(row: Row, recipients: frozenset[int]) -> Notice:
        return Notice(
            key=f"audits.look_back.due:{row['pk']}",
            subject=_("Look-back due: item %(number)s, %(town)s") % values(row),
            body="\n".join(
                [
                    _("The look-back of a closed item is due: check that the problem stayed fixed."),
                    _("Due date: %(due)s") % values(row),
                ]
            ),
            url=reverse("audits:item_detail", args=[row["item_id"]]),
            recipient_ids=recipients,
        )

    line = _("Item %(number)s, %(town)s, due %(due)s")
    url = f"{reverse('audits:item_list')}?{urlencode({'status': ItemStatus.CLOSED.value})}"
    grouped: Callable[[list[Row], frozenset[int]], Notice] = notice_group(
        kind="audits.look_backs.due",
        subject=lambda count: ngettext("%(count)s look-back is due", "%(count)s look-backs are due", count),
        intro=_("The look-backs of these closed items are due: check that the problems stayed fixed."),
        line=lambda row: line % values(row),
        url=lambda _rows: url,
        record=lambda row: row["pk"],
    )
    return notices_grouped(
        due,
        recipients=lambda row: ({row["item__closed_by_id"]} if row["item__closed_by_id"] else set()) | office,
        single=single,
        grouped=grouped,
    )
