"""The overdue scan: the due day's end in Beijing time, idempotence, who is told, and a query count that stays put."""

import datetime as dt
import itertools
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.models import (
    Allocation,
    Hop,
    Installment,
    Loan,
    LoanStatus,
    MonthlyReport,
    RiskBand,
    Transfer,
    TransferEvent,
)
from funds.selectors.overdue import overdue_transfer_list
from funds.services import chain
from funds.services.overdue import overdue_scan
from history import verify
from history.models import BulkEvent, Seal
from notifications.models import Notification
from organisation.roles import Role
from organisation.workdays import LEGAL_TIME_ZONE, end_of_due_day
from tests.factories.funds import ChainPeople, allocation_for, request_for, to_station, to_town_transfer
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.factories.organisation import TownFactory, post_user

# A due day well inside the past, so that every date a service checks is not in the future.
DUE = dt.date(2026, 11, 10)
RECEIVED = dt.date(2026, 10, 26)
AMOUNT = Decimal("120000.00")
_contracts = itertools.count(1)


def beijing(day: dt.date, hour=0, minute=0, second=0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=LEGAL_TIME_ZONE)


def due_on(record, day: dt.date):
    """Pin a record's due day (the deadline rules have their own tests in test_rules.py)."""
    type(record).objects.filter(pk=record.pk).update(due_date=day, due_is_provisional=False)
    record.refresh_from_db()
    return record


def recipients(key: str) -> set[int]:
    return set(Notification.objects.filter(key=key).values_list("recipient_id", flat=True))


def share_due(people: ChainPeople, town, day: dt.date = DUE, amount: Decimal = AMOUNT) -> Transfer:
    """A town's unsent share of a new allocation (district finance -> town), due on ``day``."""
    allocation = allocation_for(people.district_finance, [(town, amount)], received_on=RECEIVED)
    return due_on(to_town_transfer(allocation, town), day)


def shares_due(town, user, count: int, day: dt.date = DUE) -> list[Transfer]:
    """``count`` unsent shares for ``town`` in one go (one allocation each), due on ``day``."""
    first = Allocation.objects.count()
    allocations = Allocation.objects.bulk_create(
        Allocation(
            document_number=f"鲁财农指〔2026〕{900 + first + index}号",
            title="测试",
            year=2026,
            amount=AMOUNT,
            allotted=AMOUNT,
            received_on=RECEIVED,
            recorded_by=user,
        )
        for index in range(count)
    )
    return Transfer.objects.bulk_create(
        Transfer(allocation=allocation, hop=Hop.TO_TOWN, town=town, amount=AMOUNT, clock_start=RECEIVED, due_date=day)
        for allocation in allocations
    )


def loan_for(village, user, **fields) -> Loan:
    household = HouseholdFactory(village=village)
    borrower = MemberFactory(household=household)
    values = {
        "household": household,
        "borrower": borrower,
        "amount": Decimal("30000.00"),
        "term_months": 12,
        "purpose": "养殖肉牛",
        "clock_start": RECEIVED,
        "due_date": DUE,
        "recorded_by": user,
        **fields,
    }
    return Loan.objects.create(**values)


def disbursed_loan(village, user, *, instalment_due: dt.date) -> Loan:
    loan = loan_for(
        village,
        user,
        status=LoanStatus.DISBURSED,
        decided_on=RECEIVED,
        decided_by=user,
        disbursed_on=RECEIVED,
        maturity_on=RECEIVED + dt.timedelta(days=365),
        contract_number=f"LS-2026-{next(_contracts):03d}",
    )
    Installment.objects.create(loan=loan, number=1, due_on=instalment_due, principal=Decimal("10000.00"))
    Installment.objects.create(
        loan=loan, number=2, due_on=instalment_due + dt.timedelta(days=92), principal=Decimal("20000.00")
    )
    return loan


@pytest.fixture
def office(make_user):
    return make_user(Role.DISTRICT_OFFICE, email="office@lanshan.example")


# --- The due day ends at 24:00 Beijing time -----------------------------------------------------------------------


def test_a_transfer_is_not_overdue_during_its_due_day_and_is_flagged_at_midnight_beijing(people, town, office):
    # given a share due on 10 November
    transfer = share_due(people, town)

    # when the scan runs at 23:59:59 Beijing time on the due day
    before = overdue_scan(now=beijing(DUE, 23, 59, 59))
    # then it is not flagged
    transfer.refresh_from_db()
    assert (before.transfers, transfer.overdue_flagged_at) == (0, None)

    # when it runs at 00:00 the next day, given here in UTC (16:00 on the due day)
    midnight = dt.datetime(2026, 11, 10, 16, 0, tzinfo=dt.UTC)
    assert midnight == end_of_due_day(DUE)
    after = overdue_scan(now=midnight)
    # then it is flagged at that moment, and its notice says one day overdue
    transfer.refresh_from_db()
    assert (after.transfers, transfer.overdue_flagged_at) == (1, midnight)
    notice = Notification.objects.get(key=f"funds.transfer.overdue:{transfer.pk}", recipient=office)
    assert notice.url == reverse("funds:transfer_detail", args=[transfer.pk])
    assert transfer.allocation.document_number in notice.body
    assert "120,000.00" in notice.subject
    assert "2026-11-10" in notice.body


def test_a_transfer_sent_on_its_due_day_is_never_flagged(people, town, office):
    # given a share due on 10 November, sent that day
    transfer = share_due(people, town)
    chain.transfer_send(user=people.district_finance, transfer=transfer, sent_on=DUE)
    # when the scan runs the next day
    result = overdue_scan(now=beijing(DUE + dt.timedelta(days=1), 0, 5))
    # then nothing was flagged and it was on time
    transfer.refresh_from_db()
    assert (result.transfers, transfer.overdue_flagged_at, transfer.days_late) == (0, None, 0)
    assert not Notification.objects.filter(key__startswith="funds.transfer.").exists()


# --- Idempotence --------------------------------------------------------------------------------------------------


def test_a_second_scan_flags_nothing_and_writes_no_notice(people, town, office, django_capture_on_commit_callbacks):
    # given an overdue share, scanned once
    transfer = share_due(people, town)
    now = beijing(DUE + dt.timedelta(days=3), 9)
    with django_capture_on_commit_callbacks(execute=True):
        first = overdue_scan(now=now)
    notices, mails = Notification.objects.count(), len(mail.outbox)
    flagged_at = Transfer.objects.get(pk=transfer.pk).overdue_flagged_at
    assert first.transfers == 1 and first.notifications > 0 and mails > 0

    # when it runs again, an hour later
    with django_capture_on_commit_callbacks(execute=True):
        second = overdue_scan(now=now + dt.timedelta(hours=1))

    # then nothing more was flagged, written or mailed, and the first flag's time stands
    assert second.as_dict() == {key: 0 for key in second.as_dict()}
    assert (Notification.objects.count(), len(mail.outbox)) == (notices, mails)
    assert Transfer.objects.get(pk=transfer.pk).overdue_flagged_at == flagged_at


def test_sending_after_the_flag_keeps_the_days_late_and_leaves_the_overdue_list(people, town, office):
    # given a share flagged overdue
    transfer = share_due(people, town)
    overdue_scan(now=beijing(DUE + dt.timedelta(days=1)))
    today = DUE + dt.timedelta(days=2)
    assert list(overdue_transfer_list(user=office, today=today)) == [transfer]

    # when the finance bureau sends it two days after the due day
    chain.transfer_send(user=people.district_finance, transfer=transfer, sent_on=today)

    # then it was two days late, the flag stays as the record, and it is off the list and not flagged again
    transfer.refresh_from_db()
    assert transfer.days_late == 2
    assert transfer.overdue_flagged_at == beijing(DUE + dt.timedelta(days=1))
    assert list(overdue_transfer_list(user=office, today=today)) == []
    assert overdue_scan(now=beijing(today, 12)).transfers == 0


# --- Who is told ----------------------------------------------------------------------------------------------------


def test_each_hop_notifies_its_sending_unit_and_the_district_office_only(
    people, town, village, other_town, other_village, office, django_capture_on_commit_callbacks
):
    # given the same roles in another town, a second office user without an e-mail address, and the audit bureau
    strangers = ChainPeople.for_town(other_town, other_village, district_finance=people.district_finance)
    second_office = post_user(Role.DISTRICT_OFFICE)
    audit = post_user(Role.AUDIT, email="audit@lanshan.example")
    for user in (people.town_finance, people.station, strangers.town_finance, strangers.station):
        user.email = f"{user.username}@lanshan.example"
        user.save(update_fields=["email"])
    # and one overdue transfer of each hop in the town: district -> town, town -> station, station -> village
    allocation = allocation_for(people.district_finance, [(town, AMOUNT)], received_on=RECEIVED)
    to_town = due_on(to_town_transfer(allocation, town), DUE)
    second = allocation_for(people.district_finance, [(town, AMOUNT)], received_on=RECEIVED)
    first_hop = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(second, town), sent_on=RECEIVED
    )
    chain.transfer_receive(user=people.town_finance, transfer=first_hop, received_on=RECEIVED)
    to_station_hop = due_on(Transfer.objects.get(source=first_hop), DUE)
    third = allocation_for(people.district_finance, [(town, AMOUNT)], received_on=RECEIVED)
    to_station(people, third, town, on=RECEIVED)
    request = request_for(people, third, village, Decimal("50000.00"))
    to_village = due_on(
        chain.payment_request_approve(user=people.station, request=request, approved_on=request.submitted_on), DUE
    )

    # when the scan runs after the due day
    with django_capture_on_commit_callbacks(execute=True):
        result = overdue_scan(now=beijing(DUE + dt.timedelta(days=1), 0, 5))

    # then each hop's sending unit is told of its transfer, and the district office once of all three
    assert result.transfers == 3
    assert Notification.objects.filter(key__startswith="funds.transfer").count() == 3 + 2
    offices = {office.pk, second_office.pk}
    assert recipients(f"funds.transfer.overdue:{to_town.pk}") == {people.district_finance.pk}
    assert recipients(f"funds.transfer.overdue:{to_station_hop.pk}") == {people.town_finance.pk}
    assert recipients(f"funds.transfer.overdue:{to_village.pk}") == {people.station.pk}
    grouped = Notification.objects.filter(key__startswith="funds.transfers.overdue:")
    assert set(grouped.values_list("recipient_id", flat=True)) == offices
    assert {notice.url for notice in grouped} == {f"{reverse('funds:overdue_list')}?tab=transfers&town={town.pk}"}
    assert all(notice.subject.startswith("3") and notice.body.count("\n") == 3 for notice in grouped)
    transfer_notices = Notification.objects.filter(key__startswith="funds.transfer")
    told = set(transfer_notices.values_list("recipient_id", flat=True))
    assert not told & {strangers.town_finance.pk, strangers.station.pk, strangers.clerk.pk, audit.pk, people.clerk.pk}
    # and each of them with an address got the same words by e-mail
    station_notice = Notification.objects.get(key=f"funds.transfer.overdue:{to_village.pk}", recipient=people.station)
    (station_mail,) = [
        message
        for message in mail.outbox
        if message.to == [people.station.email] and message.subject == station_notice.subject
    ]
    assert station_mail.body.startswith(station_notice.body)
    assert station_mail.body.endswith(station_notice.url)
    assert (
        len([message for message in mail.outbox if message.to == [office.email]])
        == Notification.objects.filter(recipient=office).count()
    )
    subjects = set(transfer_notices.values_list("subject", flat=True))
    addressed = {message.to[0] for message in mail.outbox if message.subject in subjects}
    assert addressed == {office.email, people.town_finance.email, people.station.email}
    assert audit.email not in {message.to[0] for message in mail.outbox}


def share_held(people: ChainPeople, town) -> Transfer:
    """A town's share of a new allocation, sent and received by its finance office in October: it holds money."""
    share = share_due(people, town)
    Transfer.objects.filter(pk=share.pk).update(sent_on=RECEIVED, received_on=RECEIVED)
    return share


def test_a_missing_monthly_report_is_flagged_after_its_due_day(make_user, town, other_town, people, office):
    # given both towns hold money since October (so each owes a report on October), and each town's report staff
    share_held(people, town)
    share_held(people, other_town)
    other_staff = make_user(Role.TOWN_STAFF, town=other_town)
    overdue_scan(now=beijing(dt.date(2026, 11, 1), 8))
    report = MonthlyReport.objects.get(town=town, month=dt.date(2026, 10, 1))
    MonthlyReport.objects.update(due_date=dt.date(2026, 11, 6), due_is_provisional=False)
    # when the scan runs on the due day and after it
    during = overdue_scan(now=beijing(dt.date(2026, 11, 6), 23, 59, 59))
    after = overdue_scan(now=beijing(dt.date(2026, 11, 7)))
    # then the report is flagged only after the due day, and the town's report staff are told of their own
    assert during.reports == 0
    assert after.reports == 2  # both towns owe October
    report.refresh_from_db()
    assert report.overdue_flagged_at == beijing(dt.date(2026, 11, 7))
    told = recipients(f"funds.report.overdue:{report.pk}")
    assert told == {people.town_staff.pk, people.town_finance.pk, people.station.pk}
    assert other_staff.pk not in told
    assert (
        reverse("funds:report_detail", args=[report.pk])
        == Notification.objects.get(key=f"funds.report.overdue:{report.pk}", recipient=people.town_staff).url
    )
    # and the office is told of both in one notice, linking to the list of October's late reports
    grouped = Notification.objects.get(recipient=office, key__startswith="funds.reports.overdue:")
    assert grouped.url.startswith(reverse("funds:report_list"))
    assert "month_from=2026-10" in grouped.url and "late=1" in grouped.url


def test_late_reports_of_many_towns_are_one_notice_to_the_office(people, town, office):
    # given 15 towns holding money since October, none of which submitted its October report
    towns = [town, *(TownFactory() for _ in range(14))]
    allocation = allocation_for(people.district_finance, [(each, AMOUNT) for each in towns], received_on=RECEIVED)
    Transfer.objects.filter(allocation=allocation).update(sent_on=RECEIVED, received_on=RECEIVED)
    overdue_scan(now=beijing(dt.date(2026, 11, 1), 8))
    MonthlyReport.objects.update(due_date=dt.date(2026, 11, 6), due_is_provisional=False)
    # when the scan runs after the due day
    result = overdue_scan(now=beijing(dt.date(2026, 11, 7)))
    # then 15 reports are flagged, and the office gets one notice saying so, not 15
    assert result.reports == 15
    notices = Notification.objects.filter(recipient=office, key__startswith="funds.report")
    assert notices.count() == 1
    subject = notices.get().subject  # "15 towns' 2026-10 reports are late", in the site's language
    assert "15" in subject and "2026-10" in subject


def test_a_submitted_report_is_not_flagged(town, people, office):
    # given the October report submitted on its due day
    share_held(people, town)
    overdue_scan(now=beijing(dt.date(2026, 11, 1), 8))
    report = due_on(MonthlyReport.objects.get(town=town, month=dt.date(2026, 10, 1)), dt.date(2026, 11, 6))
    MonthlyReport.objects.filter(pk=report.pk).update(status="submitted", submitted_on=dt.date(2026, 11, 6))
    # when the scan runs after the due day
    overdue_scan(now=beijing(dt.date(2026, 11, 9)))
    # then it is not flagged
    report.refresh_from_db()
    assert report.overdue_flagged_at is None


def test_a_loan_application_undecided_after_its_limit_is_flagged(make_user, town, village, other_town, office):
    # given two applications due on 10 November: one still undecided, one decided in time
    town_staff = make_user(Role.TOWN_STAFF, town=town)
    other_staff = make_user(Role.TOWN_STAFF, town=other_town)
    finance = make_user(Role.DISTRICT_FINANCE)
    waiting = loan_for(village, town_staff)
    decided = loan_for(
        village, town_staff, status=LoanStatus.REJECTED, decided_on=DUE, decided_by=town_staff, reject_reason="不符合"
    )
    # when the scan runs during the due day and after it
    assert overdue_scan(now=beijing(DUE, 23, 59, 59)).loan_applications == 0
    result = overdue_scan(now=beijing(DUE + dt.timedelta(days=4), 10))
    # then only the undecided one is flagged; the town's loan staff and the office are told
    assert result.loan_applications == 1
    waiting.refresh_from_db()
    decided.refresh_from_db()
    assert waiting.overdue_flagged_at is not None and decided.overdue_flagged_at is None
    assert recipients(f"funds.loan.overdue:{waiting.pk}") == {town_staff.pk, office.pk}
    assert finance.pk not in recipients(f"funds.loan.overdue:{waiting.pk}")
    assert other_staff.pk not in recipients(f"funds.loan.overdue:{waiting.pk}")
    notice = Notification.objects.get(key=f"funds.loan.overdue:{waiting.pk}", recipient=office)
    assert waiting.borrower.name in notice.subject
    assert "30,000.00" in notice.subject


def test_risk_bands_rise_with_the_oldest_unpaid_instalment_and_notify_once_per_band(make_user, town, village, office):
    # given a loan being repaid whose first instalment fell due on 1 August, and the people who hear of it
    town_staff = make_user(Role.TOWN_STAFF, town=town)
    finance = make_user(Role.DISTRICT_FINANCE)
    first_due = dt.date(2026, 8, 1)
    loan = disbursed_loan(village, town_staff, instalment_due=first_due)

    def scan_on(days_after: int):
        result = overdue_scan(now=beijing(first_due + dt.timedelta(days=days_after), 0, 5))
        loan.refresh_from_db()
        return result

    # when 29 days have passed: no warning
    assert (scan_on(29).risk_raised, loan.risk_band) == (0, RiskBand.NONE)
    # at 30 days: the 30-day warning, to the town's loan staff, the office and the finance bureau
    assert (scan_on(30).risk_raised, loan.risk_band) == (1, RiskBand.OVERDUE_30)
    assert recipients(f"funds.loan.risk30:{loan.pk}") == {town_staff.pk, office.pk, finance.pk}
    raised_at = loan.risk_flagged_at
    assert raised_at == beijing(first_due + dt.timedelta(days=30), 0, 5)
    # again the same day and at 59 days: nothing new
    assert scan_on(30).risk_raised == 0
    assert (scan_on(59).risk_raised, loan.risk_band, loan.risk_flagged_at) == (0, RiskBand.OVERDUE_30, raised_at)
    # at 60 and 90 days: one warning each
    assert (scan_on(60).risk_raised, loan.risk_band) == (1, RiskBand.OVERDUE_60)
    assert (scan_on(90).risk_raised, loan.risk_band) == (1, RiskBand.OVERDUE_90)
    assert Notification.objects.filter(key__startswith="funds.loan.risk", recipient=office).count() == 3

    # when the household pays the first instalment: the band falls to what the second one warrants, unannounced
    Installment.objects.filter(loan=loan, number=1).update(paid=Decimal("10000.00"))
    result = scan_on(91)
    assert (result.risk_raised, result.risk_lowered, loan.risk_band) == (0, 1, RiskBand.NONE)
    # and falling 30 days behind again raises the band, but a band already announced is not announced twice
    result = scan_on(92 + 30)
    assert (result.risk_raised, result.notifications, loan.risk_band) == (1, 0, RiskBand.OVERDUE_30)
    assert Notification.objects.filter(key__startswith="funds.loan.risk", recipient=office).count() == 3


# --- A fixed number of queries, and two scans at once -------------------------------------------------------------


def test_the_scan_costs_the_same_queries_for_5_and_50_overdue_transfers(people, town, other_town, office):
    # given the reports each town owes already opened and flagged, and staff in both towns
    post_user(Role.TOWN_FINANCE, town=other_town)
    share_due(people, town)
    overdue_scan(now=beijing(DUE + dt.timedelta(days=1)))

    def queries_for(count: int, day: dt.date) -> int:
        shares_due(town, people.district_finance, count - count // 2, day=day)
        shares_due(other_town, people.district_finance, count // 2, day=day)
        with CaptureQueriesContext(connection) as queries:
            result = overdue_scan(now=beijing(day + dt.timedelta(days=1)))
        assert result.transfers == count
        return len(queries)

    # when 5 transfers fall overdue, and then 50 more
    five = queries_for(5, DUE + dt.timedelta(days=1))
    fifty = queries_for(50, DUE + dt.timedelta(days=2))
    # then both scans cost the same number of queries
    assert five == fifty


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_flag_and_notify_each_transfer_once(town, village):
    # given ten overdue shares and an office user with an e-mail address
    people = ChainPeople.for_town(town, village)
    office = post_user(Role.DISTRICT_OFFICE, email="office@lanshan.example")
    transfers = shares_due(town, people.district_finance, 10)
    now = beijing(DUE + dt.timedelta(days=1), 0, 5)
    mail.outbox = []

    # when two scans start at the same moment, each on its own connection
    start_together = threading.Barrier(2, timeout=10)
    results, errors = [], []

    def scan():
        try:
            start_together.wait()
            results.append(overdue_scan(now=now))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then between them they flagged each transfer once, and the office got one notice (and one e-mail) on all ten
    assert errors == []
    assert sorted(result.transfers for result in results) == [0, len(transfers)]
    (notice,) = Notification.objects.filter(recipient=office, key__startswith="funds.transfer")
    assert notice.key.startswith("funds.transfers.overdue:10:") and notice.subject.startswith("10")
    office_mails = [message for message in mail.outbox if message.to == [office.email]]
    assert len(office_mails) == Notification.objects.filter(recipient=office).count()


# --- Grouped notices: one per person and kind in a run -------------------------------------------------------------


def test_many_overdue_transfers_make_one_notice_per_person_and_a_second_scan_sends_none(
    people, town, other_town, office
):
    # given 12 overdue shares of the town and 8 of another town (district finance sends them all)
    shares_due(town, people.district_finance, 12)
    shares_due(other_town, people.district_finance, 8)
    now = beijing(DUE + dt.timedelta(days=1), 0, 5)

    # when the scan runs
    result = overdue_scan(now=now)

    # then the office and district finance each get one notice on the 20 transfers, linked to the overdue list
    assert result.transfers == 20
    notices = Notification.objects.filter(key__startswith="funds.transfer")
    assert {(notice.recipient_id, notice.key.split(":")[1]) for notice in notices} == {
        (office.pk, "20"),
        (people.district_finance.pk, "20"),
    }
    notice = notices.get(recipient=office)
    assert notice.subject.startswith("20")
    assert notice.url == f"{reverse('funds:overdue_list')}?tab=transfers"
    assert len(notice.body.splitlines()) == 1 + 20
    # when the scan runs again
    again = overdue_scan(now=now + dt.timedelta(hours=1))
    # then it flags nothing and sends nothing
    assert (again.transfers, again.notifications) == (0, 0)
    assert Notification.objects.filter(key__startswith="funds.transfer").count() == 2


def test_a_town_hears_of_its_own_transfers_in_one_notice_linked_to_its_tab(people, town, other_town, office):
    # given three overdue shares of the town, sent by the town's finance office to its station
    transfers = []
    for _ in range(3):
        allocation = allocation_for(people.district_finance, [(town, AMOUNT)], received_on=RECEIVED)
        first = chain.transfer_send(
            user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=RECEIVED
        )
        chain.transfer_receive(user=people.town_finance, transfer=first, received_on=RECEIVED)
        transfers.append(due_on(Transfer.objects.get(source=first), DUE))

    # when the scan runs
    overdue_scan(now=beijing(DUE + dt.timedelta(days=1), 0, 5))

    # then the town's finance office gets one notice on its three, linked to the tab filtered to its town
    (notice,) = Notification.objects.filter(recipient=people.town_finance, key__startswith="funds.transfer")
    assert notice.key.startswith("funds.transfers.overdue:3:")
    assert notice.url == f"{reverse('funds:overdue_list')}?tab=transfers&town={town.pk}"


# --- History: one sealed bulk event per flag statement (issue 15 item 13) -----------------------------------------


def test_the_scan_records_its_flags_as_one_sealed_bulk_event_listing_the_flagged_transfers(people, town, office):
    # given three overdue shares
    transfers = shares_due(town, people.district_finance, 3)
    ids = sorted(transfer.pk for transfer in transfers)
    events_before = TransferEvent.objects.count()

    # when the scan flags them
    result = overdue_scan(now=beijing(DUE + dt.timedelta(days=2), 9))

    # then one bulk event, sealed, lists exactly them, and no event per transfer was written
    assert result.transfers == 3
    [event] = BulkEvent.objects.filter(kind="overdue_scan")
    assert event.covers["funds_transfer"]["ids"] == ids
    assert Seal.objects.filter(event_table="history_bulkevent", event_ids__contains=[event.pk]).exists()
    assert TransferEvent.objects.count() == events_before
    # and the drift check takes each flagged row as matching it
    drift = {verify.ROW_DRIFT, verify.ROW_UNRECORDED, verify.ROW_DELETED_UNRECORDED}
    assert [problem for problem in verify.history_check() if problem.kind in drift] == []

    # when a scan finds nothing new, it writes no event
    overdue_scan(now=beijing(DUE + dt.timedelta(days=2), 10))
    assert BulkEvent.objects.filter(kind="overdue_scan").count() == 1

    # and a flag cleared behind the history's back is caught
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE funds_transfer SET overdue_flagged_at = NULL WHERE id = %s", [ids[0]])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    [problem] = [problem for problem in verify.history_check() if problem.kind in drift]
    assert (problem.kind, problem.object_id) == (verify.ROW_DRIFT, ids[0])
