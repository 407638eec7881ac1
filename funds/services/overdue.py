"""The overdue scan: flag what missed its deadline, warn of loans falling behind, and tell the people responsible.

Run every hour by ``funds.tasks.flag_overdue`` (jobs/schedules.py) and by the district office's "run the scan
now". A record is overdue once the end of its due day (24:00 Beijing time, ``organisation.workdays``) has
passed undone, that is when the Beijing date of ``now`` is after its due date:

- a transfer (point 5) not sent,
- a town's monthly fund-usage report (point 5) not submitted,
- a microcredit application (point 7, 限时办结) still undecided.

Each kind is one ``UPDATE ... WHERE <undone> AND due_date < today AND overdue_flagged_at IS NULL RETURNING``:
the statement is atomic, so two scans running at once (a beat run and a "run now") cannot both flag a row (the
second one waits for the first's row locks, re-checks ``overdue_flagged_at`` and skips the row), and a second
scan finds nothing left to flag. The rows flagged are the rows notified, in the same transaction: a notice is
written once, and never for a flag that was rolled back.

``overdue_flagged_at`` is kept once set, as the record that the scan found the row overdue. The flag is
*active* while the row is still undone; doing it (``transfer_send`` and the like) clears it in effect and
writes ``days_late``, which keeps how late it was. A row done late before any scan saw it (between 00:00 and
the hourly run, or while the workers were down) is not flagged: its ``days_late`` is the record.

Loans being repaid get a risk warning from the oldest unpaid instalment past its due day: 30, 60 or 90 days
and more. The bands are recomputed in one statement; a band that rose is notified once per band and loan (the
notification key), a band that fell is only recorded.

The number of queries does not grow with the number of records: one statement per kind, one staff lookup per
role involved, and the notices, which ``notifications.services.notices_send`` writes in batches of 1,000 (only
a scan that notifies more, such as the first one after go-live, writes more than one batch). Each kind commits
on its own; while it is open, other writers of tracked records wait for the history chain's lock, which for an
hourly scan is a matter of milliseconds.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funds.choices import SENDER
from funds.models import Allocation, Hop, Installment, Loan, LoanStatus, MonthlyReport, RiskBand, Transfer
from funds.permissions import (
    LOAN_RISK_WATCHERS,
    LOAN_ROLES,
    OVERDUE_WATCHERS,
    REPORT_ROLES,
    SCAN_RUNNERS,
    UNIT_ROLES,
)
from funds.selectors.loans import BAND_THRESHOLDS, risk_band_sql
from funds.selectors.overdue import overdue_today
from funds.services.reports import monthly_reports_ensure
from history.bulk import BulkSource, bulk_event
from history.context import history_context
from history.tracking import history_plans_forget
from households.models import Household, Member
from notifications.services import (
    Notice,
    notice_group,
    notice_group_key,
    notices_grouped,
    notices_send,
    staff_of,
)
from organisation.enqueue import enqueue_on_commit
from organisation.models import Town, Village
from organisation.money import money_text
from organisation.roles import Role
from organisation.validation import role_require

# The kind of the history.BulkEvent a scan's flag UPDATE of the transfers writes.
OVERDUE_SCAN_EVENT = "overdue_scan"


@dataclass
class ScanResult:
    """What one scan did: rows newly flagged per kind, risk bands changed, and notifications written."""

    reports_opened: int = 0
    transfers: int = 0
    reports: int = 0
    loan_applications: int = 0
    risk_raised: int = 0
    risk_lowered: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def overdue_scan(*, now: dt.datetime | None = None, per_row_history: bool = False) -> ScanResult:
    """Flag every record whose due day has ended undone, update the loans' risk bands, and notify.

    ``per_row_history``: the transfers' flags recorded with one history event each, as before their one bulk event
    per scan (benchmark_funds measures both)."""
    now = now or timezone.now()
    today = overdue_today(now)
    result = ScanResult()
    staff = StaffDirectory()
    # Notices are stored text: in the site's language, whoever or whatever started the scan.
    with history_context(job="overdue_scan"), translation.override(settings.LANGUAGE_CODE):
        history_plans_forget()  # also run outside a worker task: by the button and the benchmark
        result.reports_opened = monthly_reports_ensure(today=today)
        with transaction.atomic():
            notices, result.transfers = _transfers_flag(
                now=now, today=today, staff=staff, per_row_history=per_row_history
            )
            result.notifications += notices_send(notices)
        with transaction.atomic():
            notices, result.reports = _reports_flag(now=now, today=today, staff=staff)
            result.notifications += notices_send(notices)
        with transaction.atomic():
            notices, result.loan_applications = _loan_applications_flag(now=now, today=today, staff=staff)
            result.notifications += notices_send(notices)
        with transaction.atomic():
            notices, result.risk_raised, result.risk_lowered = _loan_risks_update(now=now, today=today, staff=staff)
            result.notifications += notices_send(notices)
    return result


def overdue_scan_request(
    *,
    user: User,
    on_sent: Callable[[], None] | None = None,
    on_refused: Callable[[str], None] | None = None,
) -> None:
    """ "Run the scan now": queue the scan once the request's transaction has committed. A broker that refuses it is
    told to ``on_refused`` (the page says the job waits for the job service; the hourly run does the work)."""
    role_require(user, SCAN_RUNNERS)
    # Imported here: the task module imports this one.
    from funds.tasks import flag_overdue

    enqueue_on_commit(flag_overdue, on_sent=on_sent, on_refused=on_refused)


class StaffDirectory:
    """Who holds which role where, read once per role and scan (a district has a few hundred posts)."""

    def __init__(self):
        self._by_role: dict[Role, dict[int | None, set[int]]] = {}

    def users(self, roles: frozenset[Role], town_id: int | None = None) -> set[int]:
        """The users of ``roles`` posted in ``town_id``, and those of ``roles`` posted at the district level."""
        found: set[int] = set()
        for role in roles:
            if role not in self._by_role:
                self._by_role[role] = staff_of(roles=[role])
            by_town = self._by_role[role]
            found |= by_town.get(None, set())
            if town_id is not None:
                found |= by_town.get(town_id, set())
        return found


def _rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fill(lines: tuple[str, ...], values: dict) -> str:
    return "\n".join(line % values for line in lines)


# A first scan may notify tens of thousands of rows: each text is translated once per kind and scan, not per row.
def _provisional_due() -> Callable[[dt.date, bool], str]:
    template = _("%(date)s (provisional)")

    def due(due_date: dt.date, provisional: bool) -> str:
        return template % {"date": due_date.isoformat()} if provisional else due_date.isoformat()

    return due


def _overdue_group(
    *,
    kind: str,
    tab: str,
    subject: Callable[[int], str],
    intro: str,
    line: Callable[[dict], str],
    record: Callable[[dict], object] = lambda row: row["id"],
) -> Callable[[list[dict], frozenset[int]], Notice]:
    """The grouped notice of one kind (``notifications.services.notice_group``), linked to the overdue list's tab
    (``funds.views.overdue.TABS``), filtered to the town if there is one. ``record`` names a record in the key."""
    base = reverse("funds:overdue_list")

    def url(rows: list[dict]) -> str:
        query = {"tab": tab}
        town_ids = {row["town_id"] for row in rows}
        if len(town_ids) == 1:
            query["town"] = str(next(iter(town_ids)))
        return f"{base}?{urlencode(query)}"

    return notice_group(kind=kind, subject=subject, intro=intro, line=line, url=url, record=record)


# --- Transfers (point 5) ------------------------------------------------------------------------------------------


def _transfers_flag(
    *, now: dt.datetime, today: dt.date, staff: StaffDirectory, per_row_history: bool = False
) -> tuple[list[Notice], int]:
    """Flag the transfers past their due day; the notices (grouped per person) and the number flagged.

    The flag UPDATE's history is one sealed bulk event listing the transfers it flagged (``history.bulk``), not one
    event per transfer: the first scan of a 200,000-transfer backlog spent 4.4 s on those (issue 15 item 13).
    ``per_row_history``: one event per transfer as before (the benchmark's "before")."""
    source = BulkSource(kind=OVERDUE_SCAN_EVENT)
    with bulk_event(source=source, models_written=[Transfer], per_row=per_row_history) as covered:
        rows = _transfers_flagged(now=now, today=today, covered=covered)
    if not rows:
        return [], 0
    return _transfer_notices(rows, today=today, staff=staff), len(rows)


def _transfers_flagged(*, now: dt.datetime, today: dt.date, covered: str) -> list[dict]:
    return _rows(
        f"""
        WITH flagged AS (
            UPDATE {_table(Transfer)} SET overdue_flagged_at = %(now)s
            WHERE sent_on IS NULL AND due_date < %(today)s AND overdue_flagged_at IS NULL
            RETURNING id, hop, town_id, village_id, allocation_id, amount, due_date, due_is_provisional
        ), recorded AS (
            INSERT INTO {covered} SELECT '{Transfer._meta.db_table}', id, NULL, false FROM flagged
        )
        SELECT flagged.id, flagged.hop, flagged.town_id, flagged.amount, flagged.due_date,
               flagged.due_is_provisional, allocation.document_number, town.name AS town, village.name AS village
        FROM flagged
        JOIN {_table(Allocation)} AS allocation ON allocation.id = flagged.allocation_id
        JOIN {_table(Town)} AS town ON town.id = flagged.town_id
        LEFT JOIN {_table(Village)} AS village ON village.id = flagged.village_id
        ORDER BY flagged.due_date, flagged.id
        """,
        {"now": now, "today": today},
    )


def _transfer_notices(rows: list[dict], *, today: dt.date, staff: StaffDirectory) -> list[Notice]:
    office = staff.users(OVERDUE_WATCHERS)
    hops = {hop: str(hop.label) for hop in Hop}
    due = _provisional_due()
    subject = cache(
        lambda days: ngettext(
            "Transfer overdue %(days)s day: %(place)s, %(amount)s yuan",
            "Transfer overdue %(days)s days: %(place)s, %(amount)s yuan",
            days,
        )
    )
    lines = (
        _("A transfer was not sent by the end of its due day."),
        _("Hop: %(hop)s"),
        _("Town or village: %(place)s"),
        _("Allocation document: %(document)s"),
        _("Amount: %(amount)s yuan"),
        _("Due date: %(due)s"),
        _("Days overdue: %(days)s"),
    )

    def values(row: dict) -> dict:
        return {
            "hop": hops[Hop(row["hop"])],
            "place": f"{row['town']} {row['village']}" if row["village"] else row["town"],
            "document": row["document_number"],
            "amount": money_text(row["amount"]),
            "due": due(row["due_date"], row["due_is_provisional"]),
            "days": (today - row["due_date"]).days,
        }

    def single(row: dict, recipients: frozenset[int]) -> Notice:
        filled = values(row)
        return Notice(
            key=f"funds.transfer.overdue:{row['id']}",
            subject=subject(filled["days"]) % filled,
            body=_fill(lines, filled),
            url=reverse("funds:transfer_detail", args=[row["id"]]),
            recipient_ids=recipients,
        )

    line = _("%(place)s, %(hop)s, %(amount)s yuan, due %(due)s")
    grouped = _overdue_group(
        kind="funds.transfers.overdue",
        tab="transfers",
        subject=lambda count: ngettext("%(count)s transfer is overdue", "%(count)s transfers are overdue", count),
        intro=_("These transfers were not sent by the end of their due day."),
        line=lambda row: line % values(row),
    )
    notices = notices_grouped(
        rows,
        recipients=lambda row: staff.users(UNIT_ROLES[SENDER[Hop(row["hop"])]], row["town_id"]) | office,
        single=single,
        grouped=grouped,
    )
    return notices


# --- Monthly fund-usage reports (point 5) -------------------------------------------------------------------------


def _reports_flag(*, now: dt.datetime, today: dt.date, staff: StaffDirectory) -> tuple[list[Notice], int]:
    """Flag the reports past their due day; the notices (grouped per person) and the number of reports flagged."""
    rows = _rows(
        f"""
        WITH flagged AS (
            UPDATE {_table(MonthlyReport)} SET overdue_flagged_at = %(now)s
            WHERE submitted_on IS NULL AND due_date < %(today)s AND overdue_flagged_at IS NULL
            RETURNING id, town_id, month, due_date, due_is_provisional
        )
        SELECT flagged.id, flagged.town_id, flagged.month, flagged.due_date, flagged.due_is_provisional,
               town.name AS town
        FROM flagged JOIN {_table(Town)} AS town ON town.id = flagged.town_id
        ORDER BY flagged.due_date, flagged.id
        """,
        {"now": now, "today": today},
    )
    if not rows:
        return [], 0
    office = staff.users(OVERDUE_WATCHERS)
    # Grouped: each person gets one notice for all the reports this scan flagged that concern them (the office:
    # every town's), not one per report; a notice on a single report links to it, a group to the filtered list.
    notices = notices_grouped(
        rows,
        recipients=lambda row: staff.users(REPORT_ROLES, row["town_id"]) | office,
        single=_report_notice(today),
        grouped=_reports_notice,
    )
    return notices, len(rows)


def _report_notice(today: dt.date) -> Callable[[dict, frozenset[int]], Notice]:
    due = _provisional_due()
    subject = cache(
        lambda days: ngettext(
            "Monthly report overdue %(days)s day: %(town)s, %(month)s",
            "Monthly report overdue %(days)s days: %(town)s, %(month)s",
            days,
        )
    )
    lines = (
        _("The monthly fund-usage report was not submitted by the end of its due day."),
        _("Town: %(town)s"),
        _("Month: %(month)s"),
        _("Due date: %(due)s"),
        _("Days overdue: %(days)s"),
    )

    def notice(row: dict, recipients: frozenset[int]) -> Notice:
        values = {
            "town": row["town"],
            "month": f"{row['month']:%Y-%m}",
            "due": due(row["due_date"], row["due_is_provisional"]),
            "days": (today - row["due_date"]).days,
        }
        return Notice(
            key=f"funds.report.overdue:{row['id']}",
            subject=subject(values["days"]) % values,
            body=_fill(lines, values),
            url=reverse("funds:report_detail", args=[row["id"]]),
            recipient_ids=frozenset(recipients),
        )

    return notice


def _reports_notice(rows: list[dict], recipients: frozenset[int]) -> Notice:
    """One notice on several reports flagged by the same scan: "15 towns' 2026-10 reports are late", with a link
    to the list of late or missing reports of those months (and that town, when there is one)."""
    months = sorted({row["month"] for row in rows})
    towns = sorted({row["town"] for row in rows})
    town_ids = {row["town_id"] for row in rows}
    first, last = f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}"
    values = {"count": len(rows), "towns": len(towns), "month": first, "first": first, "last": last}
    if len(months) == 1:
        subject = ngettext(
            "%(towns)s town's %(month)s report is late",
            "%(towns)s towns' %(month)s reports are late",
            len(towns),
        )
    else:
        subject = ngettext(
            "%(count)s monthly report is late (%(first)s to %(last)s)",
            "%(count)s monthly reports are late (%(first)s to %(last)s)",
            len(rows),
        )
    body = "\n".join(
        [
            _("These monthly fund-usage reports were not submitted by the end of their due day."),
            *(f"{row['town']} {row['month']:%Y-%m}" for row in rows),
        ]
    )
    query = {"late": "1", "month_from": first, "month_to": last}
    if len(town_ids) == 1:
        query["town"] = str(next(iter(town_ids)))
    ids = [row["id"] for row in rows]
    return Notice(
        key=notice_group_key("funds.reports.overdue", ids),
        subject=subject % values,
        body=body,
        url=f"{reverse('funds:report_list')}?{urlencode(query)}",
        recipient_ids=frozenset(recipients),
    )


# --- Microcredit (point 7): time-limited processing and risk warnings ---------------------------------------------

LOAN_PLACE_SQL = f"""
    JOIN {_table(Household)} AS household ON household.id = {{source}}.household_id
    JOIN {_table(Village)} AS village ON village.id = household.village_id
    JOIN {_table(Town)} AS town ON town.id = village.town_id
    JOIN {_table(Member)} AS borrower ON borrower.id = {{source}}.borrower_id
"""
LOAN_PLACE_COLUMNS = (
    "village.town_id, town.name AS town, village.name AS village, household.file_number, borrower.name AS borrower"
)


def _loan_applications_flag(*, now: dt.datetime, today: dt.date, staff: StaffDirectory) -> tuple[list[Notice], int]:
    """Flag the applications undecided past their limit; the notices (grouped per person) and the number flagged."""
    rows = _rows(
        f"""
        WITH flagged AS (
            UPDATE {_table(Loan)} SET overdue_flagged_at = %(now)s
            WHERE status = %(applied)s AND decided_on IS NULL AND due_date < %(today)s
              AND overdue_flagged_at IS NULL
            RETURNING id, household_id, borrower_id, amount, due_date, due_is_provisional, bank
        )
        SELECT flagged.id, flagged.amount, flagged.due_date, flagged.due_is_provisional, flagged.bank,
               {LOAN_PLACE_COLUMNS}
        FROM flagged {LOAN_PLACE_SQL.format(source="flagged")}
        ORDER BY flagged.due_date, flagged.id
        """,
        {"now": now, "today": today, "applied": LoanStatus.APPLIED.value},
    )
    if not rows:
        return [], 0
    office = staff.users(OVERDUE_WATCHERS)
    due = _provisional_due()
    subject = _("Loan application not decided in time: %(borrower)s, %(amount)s yuan")
    lines = (
        _("A microcredit application was not decided by the end of its processing limit."),
        _("Borrower: %(borrower)s (household %(file_number)s, %(place)s)"),
        _("Bank: %(bank)s"),
        _("Amount: %(amount)s yuan"),
        _("Due date: %(due)s"),
        _("Days overdue: %(days)s"),
    )

    def values(row: dict) -> dict:
        return {
            "borrower": row["borrower"],
            "file_number": row["file_number"],
            "place": f"{row['town']} {row['village']}",
            "bank": row["bank"],
            "amount": money_text(row["amount"]),
            "due": due(row["due_date"], row["due_is_provisional"]),
            "days": (today - row["due_date"]).days,
        }

    def single(row: dict, recipients: frozenset[int]) -> Notice:
        filled = values(row)
        return Notice(
            key=f"funds.loan.overdue:{row['id']}",
            subject=subject % filled,
            body=_fill(lines, filled),
            url=reverse("funds:loan_detail", args=[row["id"]]),
            recipient_ids=recipients,
        )

    line = _("%(borrower)s (%(place)s), %(amount)s yuan, due %(due)s")
    grouped = _overdue_group(
        kind="funds.loans.overdue",
        tab="applications",
        subject=lambda count: ngettext(
            "%(count)s loan application was not decided in time",
            "%(count)s loan applications were not decided in time",
            count,
        ),
        intro=_("These microcredit applications were not decided by the end of their processing limit."),
        line=lambda row: line % values(row),
    )
    notices = notices_grouped(
        rows, recipients=lambda row: staff.users(LOAN_ROLES, row["town_id"]) | office, single=single, grouped=grouped
    )
    return notices, len(rows)


def _loan_risks_update(*, now: dt.datetime, today: dt.date, staff: StaffDirectory) -> tuple[list[Notice], int, int]:
    """Set the band of every loan from its oldest unpaid instalment past due; the notices for the bands that rose
    (grouped per person), the number that rose and the number that fell. Loans no longer being repaid (settled)
    fall back to no warning.

    Only the loans that can change are read: those with an instalment unpaid since the lowest threshold (through
    the index of unpaid instalments) and those with a band now; the oldest of a loan's unpaid instalments is
    among the former whenever it is old enough to count.
    """
    lowest = min(threshold for _band, threshold in BAND_THRESHOLDS)
    rows = _rows(
        f"""
        WITH oldest AS (
            SELECT installment.loan_id, min(installment.due_on) AS due_on
            FROM {_table(Installment)} AS installment
            WHERE installment.paid < installment.principal AND installment.due_on <= %(at_risk_from)s
            GROUP BY installment.loan_id
        ), computed AS (
            SELECT loan.id, loan.risk_band AS old_band,
                   CASE WHEN loan.status = %(disbursed)s AND oldest.due_on IS NOT NULL
                        THEN {risk_band_sql("(%(today)s::date - oldest.due_on)")}
                        ELSE {RiskBand.NONE.value} END AS band,
                   oldest.due_on AS oldest_due_on
            FROM (
                SELECT loan_id AS id FROM oldest
                UNION SELECT id FROM {_table(Loan)} WHERE risk_band <> {RiskBand.NONE.value}
            ) AS candidate
            JOIN {_table(Loan)} AS loan ON loan.id = candidate.id
            LEFT JOIN oldest ON oldest.loan_id = loan.id
        ), changed AS (
            UPDATE {_table(Loan)} AS loan
            SET risk_band = computed.band,
                risk_flagged_at = CASE WHEN computed.band > loan.risk_band THEN %(now)s
                                       ELSE loan.risk_flagged_at END
            FROM computed
            WHERE loan.id = computed.id AND loan.risk_band <> computed.band
            RETURNING loan.id, loan.household_id, loan.borrower_id, loan.amount, loan.repaid, loan.contract_number,
                      computed.old_band, computed.band, computed.oldest_due_on
        )
        SELECT changed.id, changed.amount, changed.repaid, changed.contract_number, changed.old_band, changed.band,
               changed.oldest_due_on, {LOAN_PLACE_COLUMNS}
        FROM changed {LOAN_PLACE_SQL.format(source="changed")}
        ORDER BY changed.band DESC, changed.id
        """,
        {
            "now": now,
            "today": today,
            "at_risk_from": today - dt.timedelta(days=lowest),
            "disbursed": LoanStatus.DISBURSED.value,
        },
    )
    raised = [row for row in rows if row["band"] > row["old_band"]]
    if not raised:
        return [], 0, len(rows)
    watchers = staff.users(LOAN_RISK_WATCHERS)
    bands = {band: str(band.label) for band in RiskBand}
    subject = _("Loan risk warning, %(band)s: %(borrower)s")
    lines = (
        # Always 30 days or more: one form is enough.
        _("The oldest unpaid instalment of a microcredit loan is %(days)s days overdue."),
        _("Borrower: %(borrower)s (household %(file_number)s, %(place)s)"),
        _("Contract: %(contract)s"),
        _("Principal outstanding: %(outstanding)s yuan"),
        _("Oldest unpaid instalment due on: %(oldest)s"),
    )

    def values(row: dict) -> dict:
        return {
            "band": bands[RiskBand(row["band"])],
            "borrower": row["borrower"],
            "file_number": row["file_number"],
            "place": f"{row['town']} {row['village']}",
            "contract": row["contract_number"] or "-",
            "outstanding": money_text(row["amount"] - row["repaid"]),
            "oldest": row["oldest_due_on"].isoformat(),
            "days": (today - row["oldest_due_on"]).days,
        }

    def single(row: dict, recipients: frozenset[int]) -> Notice:
        filled = values(row)
        return Notice(
            key=f"funds.loan.risk{row['band']}:{row['id']}",
            subject=subject % filled,
            body=_fill(lines, filled),
            url=reverse("funds:loan_detail", args=[row["id"]]),
            recipient_ids=recipients,
        )

    line = _("%(band)s: %(borrower)s (%(place)s), %(outstanding)s yuan outstanding")
    grouped = _overdue_group(
        kind="funds.loans.risk",
        record=lambda row: f"{row['id']}:{row['band']}",  # a loan may rise again, to a higher band, later
        tab="risks",
        subject=lambda count: ngettext(
            "%(count)s loan rose to a risk warning", "%(count)s loans rose to a risk warning", count
        ),
        intro=_("The oldest unpaid instalment of these microcredit loans passed a risk threshold."),
        line=lambda row: line % values(row),
    )
    notices = notices_grouped(
        raised,
        recipients=lambda row: staff.users(LOAN_ROLES, row["town_id"]) | watchers,
        single=single,
        grouped=grouped,
    )
    return notices, len(raised), len(rows) - len(raised)
