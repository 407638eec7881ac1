"""The funds figures (points 5 and 7) against a district built by hand through the funds services: each figure of this
month and of the month before, at each level; what moved after a month's end stays out of that month; and every
figure's drill-down opens a list that counts (or totals) what the figure says."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from funds.models import Hop, Loan, RepaymentInterval, Transfer
from funds.services import chain
from funds.services import loans as loan_services
from funds.services import reports as report_services
from funds.services.overdue import overdue_scan
from organisation.models import Town, Village
from organisation.periods import month_start
from organisation.roles import Level, Role
from reporting.choices import Aggregation, Domain, FigureUnit
from reporting.indicators import INDICATORS, Period
from reporting.services.summary import figures_compute
from tests.factories.funds import ChainPeople, allocation_for, request_for, to_town_transfer
from tests.factories.households import HouseholdFactory, member_born
from tests.factories.organisation import VillageFactory, post_user

pytestmark = pytest.mark.django_db

Y = Decimal
# A Wednesday; the month before ends on Saturday 2026-10-31. The story's days fall in the 2026 working calendar.
TODAY = dt.date(2026, 11, 18)


@dataclass
class Story:
    today: dt.date
    town: Town
    other_town: Town
    village: Village
    second_village: Village
    other_village: Village
    # The two unsent shares whose deadlines the figures count days from.
    late_share: Transfer  # town A's share of the second allocation: never sent
    sent_late_share: Transfer  # town B's share of the first allocation: sent on the first day of this month

    @property
    def last_month_end(self) -> dt.date:
        return month_start(self.today) - dt.timedelta(days=1)

    @property
    def district_id(self) -> int:
        return self.town.district_id


def lent(staff, village, amount: str, term: int, on: dt.date) -> Loan:
    """A loan to a new household of ``village``, applied for ten days and approved five days before it was paid out
    on ``on``; repaid monthly."""
    household = HouseholdFactory(village=village)
    loan = loan_services.loan_apply(
        user=staff,
        household=household,
        borrower=member_born(household),
        amount=Y(amount),
        term_months=term,
        repayment_interval=RepaymentInterval.MONTHLY,
        purpose="养殖肉牛",
        received_on=on - dt.timedelta(days=10),
    )
    loan_services.loan_decide(user=staff, loan=loan, approve=True, decided_on=on - dt.timedelta(days=5))
    return loan_services.loan_disburse(user=staff, loan=loan, disbursed_on=on, contract_number=f"LS-{loan.pk}")


def funds_story(
    clock, today: dt.date, town: Town, other_town: Town, village: Village, other_village: Village
) -> Story:
    """Towns A (villages A1, A2) and B (village B1), ``today`` a day of a month whose first day is F and whose month
    before ends on E:

    - allocation X1 (received 60 days ago): A 100,000, sent on E and received on F, forwarded to A's station on F;
      the station pays A1 30,000 (received) and A2 10,000 (in transit) on F. B 50,000, sent and received on F, late,
      and forwarded to B's station on F;
    - allocation X2 (received 70 days ago): A 20,000, never sent (overdue);
    - allocation X3 (received today): B 40,000, not yet due;
    - the reports of the month 120 days ago: A's never submitted, B's submitted today;
    - loans: A1 1,200 in four monthly instalments paid out 150 days ago, repaid 300 on its first due day and 300
      eight days ago; A1 600 in three, paid out 200 days ago, never repaid; A2 2,000 paid out 300 days ago and
      settled; B1 3,000 paid out 20 days ago and 5,000 five days ago; B1 an application not yet decided.
    """

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    first = month_start(today)
    last_month_end = first - dt.timedelta(days=1)
    second_village = VillageFactory(town=town)
    finance = post_user(Role.DISTRICT_FINANCE)
    a = ChainPeople.for_town(town, village, district_finance=finance)
    b = ChainPeople.for_town(other_town, other_village, district_finance=finance)

    clock.set(today)
    x1 = allocation_for(finance, [(town, Y("100000.00")), (other_town, Y("50000.00"))], received_on=ago(60))
    x2 = allocation_for(finance, [(town, Y("20000.00"))], received_on=ago(70))
    share_a = chain.transfer_send(user=finance, transfer=to_town_transfer(x1, town), sent_on=last_month_end)
    share_a = chain.transfer_receive(user=a.town_finance, transfer=share_a, received_on=first)
    share_b = chain.transfer_send(user=finance, transfer=to_town_transfer(x1, other_town), sent_on=first)
    share_b = chain.transfer_receive(user=b.town_finance, transfer=share_b, received_on=first)
    for people, share in ((a, share_a), (b, share_b)):
        onward = chain.transfer_send(
            user=people.town_finance, transfer=Transfer.objects.get(source=share), sent_on=first
        )
        chain.transfer_receive(user=people.station, transfer=onward, received_on=first)

    # The villages ask on the first of the month, and the station pays them that day.
    clock.set(first)
    to_a1 = chain.payment_request_approve(
        user=a.station, request=request_for(a, x1, village, Y("30000.00")), approved_on=first
    )
    to_a1 = chain.transfer_send(user=a.station, transfer=to_a1, sent_on=first)
    chain.transfer_receive(user=a.clerk, transfer=to_a1, received_on=first)
    request_a2 = chain.payment_request_submit(
        user=a.town_staff,
        village=second_village,
        allocation=x1,
        project_name="村集体冷库",
        purpose="设备款",
        amount=Y("10000.00"),
    )
    to_a2 = chain.payment_request_approve(user=a.station, request=request_a2, approved_on=first)
    chain.transfer_send(user=a.station, transfer=to_a2, sent_on=first)

    clock.set(today)
    allocation_for(finance, [(other_town, Y("40000.00"))], received_on=today)

    reported = month_start(ago(120))
    report_services.monthly_report_open(user=a.town_staff, town=town, month=reported)
    late = report_services.monthly_report_open(user=b.town_staff, town=other_town, month=reported)
    report_services.monthly_report_submit(user=b.town_staff, report=late, notes="资金使用正常")

    repaid_twice = lent(a.town_staff, village, "1200.00", 4, ago(150))
    first_due = repaid_twice.installments.get(number=1).due_on
    loan_services.loan_repay(user=a.town_staff, loan=repaid_twice, paid_on=first_due, amount=Y("300.00"))
    loan_services.loan_repay(user=a.town_staff, loan=repaid_twice, paid_on=ago(8), amount=Y("300.00"))
    lent(a.town_staff, village, "600.00", 3, ago(200))
    settled = lent(a.town_staff, second_village, "2000.00", 2, ago(300))
    loan_services.loan_repay(user=a.town_staff, loan=settled, paid_on=ago(270), amount=Y("2000.00"))
    lent(b.town_staff, other_village, "3000.00", 12, ago(20))
    lent(b.town_staff, other_village, "5000.00", 6, ago(5))
    undecided = HouseholdFactory(village=other_village)
    loan_services.loan_apply(
        user=b.town_staff,
        household=undecided,
        borrower=member_born(undecided),
        amount=Y("800.00"),
        term_months=6,
        repayment_interval=RepaymentInterval.MONTHLY,
        purpose="种植金银花",
        received_on=ago(3),
    )
    return Story(
        today=today,
        town=town,
        other_town=other_town,
        village=village,
        second_village=second_village,
        other_village=other_village,
        late_share=to_town_transfer(x2, town),
        sent_late_share=to_town_transfer(x1, other_town),
    )


@pytest.fixture
def story(clock, town, other_town, village, other_village) -> Story:
    return funds_story(clock, TODAY, town, other_town, village, other_village)


def expected_this_month(story: Story) -> dict[str, tuple]:
    """Per indicator: (town A, town B, the district), and for a village's figure (A1, A2, B1) after them."""
    days_late = (story.today - story.late_share.due_date).days
    zero_villages = (0, 0, 0)
    return {
        "funds_allotted": (Y(120000), Y(90000), Y(210000)),
        "funds_sent_to_town": (Y(100000), Y(50000), Y(150000)),
        "funds_received_to_town": (Y(100000), Y(50000), Y(150000)),
        "funds_sent_to_station": (Y(100000), Y(50000), Y(150000)),
        "funds_received_to_station": (Y(100000), Y(50000), Y(150000)),
        "funds_sent_to_village": (Y(40000), 0, Y(40000), (Y(30000), Y(10000), 0)),
        "funds_received_to_village": (Y(30000), 0, Y(30000), (Y(30000), 0, 0)),
        "funds_paid_to_villages": (Y(40000), 0, Y(40000)),
        # 40,000 / 120,000; 0 / 90,000; 40,000 / 210,000
        "funds_disbursement_rate": (Y("33.33"), Y("0.00"), Y("19.05")),
        "transfers_overdue": (1, 0, 1),
        "transfers_days_late_max": (days_late, None, days_late),
        "reports_late": (1, 0, 1),
        "loans_issued": (3, 2, 5, (2, 1, 2)),
        "loans_issued_amount": (Y(3800), Y(8000), Y(11800), (Y(1800), Y(2000), Y(8000))),
        # A1: 1,200 - 600 and 600; A2 settled; B1: 3,000 and 5,000
        "loans_outstanding": (Y(1200), Y(8000), Y(9200), (Y(1200), 0, Y(8000))),
        # A1's 1,200 loan: oldest unpaid the third instalment, 58 days overdue; its 600 loan 169 days
        "loans_overdue": (2, 0, 2, (2, 0, 0)),
        "loans_risk_band_0": (0, 2, 2, (0, 0, 2)),
        "loans_risk_band_30": (1, 0, 1, (1, 0, 0)),
        "loans_risk_band_60": (0, 0, 0, zero_villages),
        "loans_risk_band_90": (1, 0, 1, (1, 0, 0)),
    }


def expected_last_month(story: Story) -> dict[str, tuple]:
    """The same as of the last day of the month before (E)."""
    end = story.last_month_end
    a_late, b_late = (end - story.late_share.due_date).days, (end - story.sent_late_share.due_date).days
    zero_villages = (0, 0, 0)
    return {
        "funds_allotted": (Y(120000), Y(50000), Y(170000)),
        "funds_sent_to_town": (Y(100000), 0, Y(100000)),
        # A's share was received on the first day of this month
        "funds_received_to_town": (0, 0, 0),
        "funds_sent_to_station": (0, 0, 0),
        "funds_received_to_station": (0, 0, 0),
        "funds_sent_to_village": (0, 0, 0, zero_villages),
        "funds_received_to_village": (0, 0, 0, zero_villages),
        "funds_paid_to_villages": (0, 0, 0),
        "funds_disbursement_rate": (Y("0.00"), Y("0.00"), Y("0.00")),
        # A's X2 share, and B's X1 share not sent until the day after
        "transfers_overdue": (1, 1, 2),
        "transfers_days_late_max": (a_late, b_late, max(a_late, b_late)),
        # B's report was submitted after the month's end
        "reports_late": (1, 1, 2),
        "loans_issued": (3, 1, 4, (2, 1, 1)),
        "loans_issued_amount": (Y(3800), Y(3000), Y(6800), (Y(1800), Y(2000), Y(3000))),
        # A1: 1,200 - 300 and 600
        "loans_outstanding": (Y(1500), Y(3000), Y(4500), (Y(1500), 0, Y(3000))),
        # A1's 1,200 loan: oldest unpaid the second instalment, 71 days overdue
        "loans_overdue": (2, 0, 2, (2, 0, 0)),
        "loans_risk_band_0": (0, 1, 1, (0, 0, 1)),
        "loans_risk_band_30": (0, 0, 0, zero_villages),
        "loans_risk_band_60": (1, 0, 1, (1, 0, 0)),
        "loans_risk_band_90": (1, 0, 1, (1, 0, 0)),
    }


def figures_by_code(story: Story, period: Period) -> dict[str, tuple]:
    """What ``figures_compute`` says, in the shape of the expectations."""
    values = figures_compute(period).values
    figures = {}
    for indicator in INDICATORS.of_domain(Domain.FUNDS):
        code = indicator.code
        row: tuple = (
            values[Level.TOWN][story.town.pk][code],
            values[Level.TOWN][story.other_town.pk][code],
            values[Level.DISTRICT][story.district_id][code],
        )
        if indicator.at(Level.VILLAGE):
            villages = (story.village, story.second_village, story.other_village)
            row = (*row, tuple(values[Level.VILLAGE][village.pk][code] for village in villages))
        figures[code] = row
    return figures


def test_the_days_of_the_story_fall_where_the_expectations_say(story):
    # the first allocation's shares were due before the month before ended, not sent on time
    assert story.sent_late_share.due_date < story.last_month_end
    assert story.late_share.due_date < story.sent_late_share.due_date
    assert TODAY.weekday() == 2 and story.last_month_end == dt.date(2026, 10, 31)


def test_every_funds_figure_of_this_month(story):
    # when
    figures = figures_by_code(story, Period.of(TODAY))

    # then: every indicator of the domain has its expected value at each level (a new one has none, and fails)
    assert figures == expected_this_month(story)


def test_every_funds_figure_of_the_month_before(story):
    # when
    figures = figures_by_code(story, Period.of(story.last_month_end))

    # then
    assert figures == expected_last_month(story)


def test_money_received_after_the_months_end_counts_in_the_next_month(story):
    # given: town A's share was sent on the month before's last day and received the next morning
    share = Transfer.objects.get(hop=Hop.TO_TOWN, town=story.town, sent_on=story.last_month_end)
    assert share.received_on == story.last_month_end + dt.timedelta(days=1)

    # when
    before = figures_compute(Period.of(story.last_month_end)).values[Level.TOWN][story.town.pk]
    after = figures_compute(Period.of(TODAY)).values[Level.TOWN][story.town.pk]

    # then: sent in the month before, received only in this one
    assert (before["funds_sent_to_town"], before["funds_received_to_town"]) == (share.amount, 0)
    assert after["funds_received_to_town"] == share.amount


def test_the_running_month_counts_as_of_today_not_its_last_day(story, clock):
    # given: a share for B received ten days ago, due after today and before this month ends
    allocation = allocation_for(
        post_user(Role.DISTRICT_FINANCE), [(story.other_town, Y("1000.00"))], received_on=TODAY - dt.timedelta(days=10)
    )
    share = to_town_transfer(allocation, story.other_town)
    assert TODAY < share.due_date < Period.of(TODAY).as_of

    # when: today, and the day after its due day
    today = figures_compute(Period.of(TODAY)).values[Level.TOWN][story.other_town.pk]["transfers_overdue"]
    clock.set(share.due_date + dt.timedelta(days=1))
    later = figures_compute(Period.of(clock.today)).values[Level.TOWN][story.other_town.pk]["transfers_overdue"]

    # then: not overdue yet today; overdue once its due day has ended
    assert (today, later) == (0, 1)


def assert_filter_bar_shows(response, url: str) -> None:
    """Each filter of the drill-down is one of the list's own, shown set in its filter bar (the overdue list's tab
    is a tab, not a filter)."""
    form, html = response.context["filter_form"], response.content.decode()
    for name, value in parse_qsl(urlsplit(url).query):
        if name == "tab":
            continue
        assert form.cleaned_data.get(name) == form.fields[name].clean(value), (url, name)
        assert f'name="{name}"' in html, (url, name)


# --- Drill-down: the list behind each figure -------------------------------------------------------------------------

# What a list shows for a figure: the count of its rows, or the total it shows, or the days of its first row.
LOAN_TOTALS = {"loans_issued_amount": "amount", "loans_outstanding": "outstanding"}


def shown(code: str, unit: FigureUnit, context) -> Decimal | int | None:
    if unit == FigureUnit.YUAN:
        totals = context["totals"]
        return getattr(totals, LOAN_TOTALS[code]) if code in LOAN_TOTALS else totals["amount"]
    if unit == FigureUnit.DAYS:
        rows = context["object_list"]
        return rows[0].days_overdue if rows else None
    return context["paginator"].count


def test_each_figure_opens_a_list_that_shows_it(clock, client, office_user, town, other_town, village, other_village):
    # given: the story up to the real today, and the hourly scan's risk warnings on the loans
    today = timezone.localdate()
    story = funds_story(clock, today, town, other_town, village, other_village)
    overdue_scan()
    period = Period.of(today)
    values = figures_compute(period).values
    units = {
        Level.DISTRICT: [story.district_id],
        Level.TOWN: [town.pk, other_town.pk],
        Level.VILLAGE: [village.pk, story.second_village.pk, other_village.pk],
    }
    client.force_login(office_user)

    # then: each figure at each level is what its list counts or totals
    checked = 0
    for indicator in INDICATORS.of_domain(Domain.FUNDS):
        if indicator.aggregation == Aggregation.RATIO:
            assert indicator.records is None
            continue
        assert indicator.records is not None, indicator.code
        for level, unit_ids in units.items():
            if not indicator.at(level):
                continue
            for unit_id in unit_ids:
                url = indicator.records(level, unit_id, period)
                response = client.get(url)
                assert response.status_code == 200, url
                figure = values[level][unit_id][indicator.code]
                assert shown(indicator.code, indicator.unit, response.context) == figure, (indicator.code, url)
                assert_filter_bar_shows(response, url)
                checked += 1
    assert checked > 50
