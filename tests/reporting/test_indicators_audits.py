"""The rectification figures (points 18 to 20) against a ledger built by hand through the audits services: each
figure of this month and of the month before, at the towns and the district; an item closed off and reopened after a
month's end was closed in that month; and every figure's drill-down opens a list that counts what the figure says."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from audits.choices import LookBackOutcome
from audits.models import RectificationItem
from audits.services import ledger, supervision
from organisation.models import Town
from organisation.periods import month_start
from organisation.roles import Level, Role
from reporting.choices import Aggregation, Domain
from reporting.indicators import INDICATORS, Period
from reporting.services.summary import figures_compute
from tests.factories.audits import interview_held, item_raised, item_requested, working_day_after
from tests.factories.organisation import post_user

pytestmark = pytest.mark.django_db

Y = Decimal
# A Wednesday; the month before ends on Saturday 2026-10-31. The story's days fall in the 2026 working calendar.
TODAY = dt.date(2026, 11, 18)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence of the close-offs goes to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Story:
    today: dt.date
    town: Town
    other_town: Town

    @property
    def last_month_end(self) -> dt.date:
        return month_start(self.today) - dt.timedelta(days=1)


def raised_on(clock, day: dt.date, raise_item) -> RectificationItem:
    """An item raised on ``day``: the clock gives the services their day, and ``raised_at`` (stamped with the real
    time) is put on that day, as the app would have stamped it then."""
    clock.set(day)
    item = raise_item()
    stamp = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    RectificationItem.objects.filter(pk=item.pk).update(raised_at=stamp)
    item.refresh_from_db()
    return item


def closed_off(clock, day: dt.date, requested: RectificationItem, verifier) -> RectificationItem:
    clock.set(day)
    return ledger.close_off_verify(user=verifier, item=requested, approve=True, note="材料齐全")


def audits_story(clock, today: dt.date, town: Town, other_town: Town) -> Story:
    """Town A and town B, ``today`` a day of a month whose first day is F and whose month before ends on E:

    - A1 raised 40 days ago with 5 working days: still open, long overdue;
    - A2 raised 40 days ago, closed off 35 days ago, found rebounded at its look-back two days ago: reopened, open;
    - A3 raised 40 days ago; at an interview 30 days ago due again 20 days ago; closed off on F + 1 (late);
    - B1 raised on F + 2, open and not yet due; at an interview yesterday given a new deadline;
    - B2 raised 40 days ago, closed off 30 days ago;
    - orders: to A for A1 25 days ago, to B for B1 yesterday.
    """

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    def this_month(days_after_first: int) -> dt.date:
        return min(month_start(today) + dt.timedelta(days=days_after_first), today)

    office = post_user(Role.DISTRICT_OFFICE)
    staff, other_staff = post_user(Role.TOWN_STAFF, town=town), post_user(Role.TOWN_STAFF, town=other_town)

    a1 = raised_on(clock, ago(40), lambda: item_raised(office, town, days=5))
    a2 = raised_on(clock, ago(40), lambda: item_requested(staff, town))
    a3 = raised_on(clock, ago(40), lambda: item_requested(staff, town))
    b2 = raised_on(clock, ago(40), lambda: item_requested(other_staff, other_town))
    a2 = closed_off(clock, ago(35), a2, office)
    clock.set(ago(30))
    interview_held(office, town, [a3], ago(30), working_day_after(ago(21)))
    b2 = closed_off(clock, ago(30), b2, office)
    clock.set(ago(25))
    supervision.order_issue(user=office, town=town, addressee="汪沟镇人民政府", requirement="限期整改", items=[a1])
    a3.refresh_from_db()
    closed_off(clock, this_month(1), a3, office)
    b1 = raised_on(clock, this_month(2), lambda: item_raised(office, other_town, days=20))
    clock.set(ago(2))
    ledger.look_back_record(
        user=office, look_back=a2.look_backs.get(), outcome=LookBackOutcome.REBOUND, note="问题反弹"
    )
    clock.set(ago(1))
    supervision.order_issue(
        user=office, town=other_town, addressee="方城镇人民政府", requirement="限期整改", items=[b1]
    )
    interview_held(office, other_town, [b1], ago(1), working_day_after(today + dt.timedelta(days=20)))
    clock.set(today)
    return Story(today=today, town=town, other_town=other_town)


@pytest.fixture
def story(clock, town, other_town) -> Story:
    return audits_story(clock, TODAY, town, other_town)


def figures_by_code(story: Story, period: Period) -> dict[str, tuple]:
    """(town A, town B, the district) of each indicator of the domain, from ``figures_compute``."""
    values = figures_compute(period).values
    return {
        indicator.code: (
            values[Level.TOWN][story.town.pk][indicator.code],
            values[Level.TOWN][story.other_town.pk][indicator.code],
            values[Level.DISTRICT][story.town.district_id][indicator.code],
        )
        for indicator in INDICATORS.of_domain(Domain.AUDITS)
    }


def test_no_audits_figure_is_a_villages(story):
    # the items' village is optional and orders and interviews have none: one finest level, the town's
    assert {indicator.finest for indicator in INDICATORS.of_domain(Domain.AUDITS)} == {Level.TOWN}


def test_every_audits_figure_of_this_month(story):
    # when
    figures = figures_by_code(story, Period.of(TODAY))

    # then: A: A1 and A2 open (A1 overdue, A2 reopened), A3 closed; B: B1 open, B2 closed
    assert figures == {
        "ledger_items_total": (3, 2, 5),
        "ledger_items_open": (2, 1, 3),
        "ledger_items_overdue": (1, 0, 1),
        "ledger_items_closed": (1, 1, 2),
        "ledger_items_reopened": (1, 0, 1),
        "ledger_rectification_rate": (Y("33.33"), Y("50.00"), Y("40.00")),
        "supervision_orders": (1, 1, 2),
        "interviews": (1, 1, 2),
    }


def test_every_audits_figure_of_the_month_before(story):
    # when
    figures = figures_by_code(story, Period.of(story.last_month_end))

    # then: A: A1 and A3 open and overdue, A2 closed (its rebound came later); B: only B2, closed
    assert figures == {
        "ledger_items_total": (3, 1, 4),
        "ledger_items_open": (2, 0, 2),
        "ledger_items_overdue": (2, 0, 2),
        "ledger_items_closed": (1, 1, 2),
        "ledger_items_reopened": (0, 0, 0),
        "ledger_rectification_rate": (Y("33.33"), Y("100.00"), Y("50.00")),
        "supervision_orders": (1, 0, 1),
        "interviews": (1, 0, 1),
    }


def test_an_item_reopened_after_the_months_end_was_closed_in_that_month(story):
    # given: A2 was closed off in the month before and found rebounded in this one
    reopened = RectificationItem.objects.get(town=story.town, reopened_count=1)
    assert reopened.closed_on is None

    # when
    before = figures_compute(Period.of(story.last_month_end)).values[Level.TOWN][story.town.pk]
    now = figures_compute(Period.of(TODAY)).values[Level.TOWN][story.town.pk]

    # then: closed off then, open and reopened now
    assert (before["ledger_items_closed"], before["ledger_items_reopened"]) == (1, 0)
    assert (now["ledger_items_open"], now["ledger_items_reopened"]) == (2, 1)


def test_nothing_raised_issued_or_held_later_counts_in_an_earlier_month(story):
    # when: the figures of last December
    figures = figures_by_code(story, Period.of(dt.date(2025, 12, 1)))

    # then: the story all happened in 2026
    assert all(value in (0, None) for row in figures.values() for value in row)


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


def test_each_figure_opens_a_list_that_counts_it(clock, client, office_user, town, other_town):
    # given: the story up to the real today
    today = timezone.localdate()
    story = audits_story(clock, today, town, other_town)
    period = Period.of(today)
    values = figures_compute(period).values
    units = {Level.DISTRICT: [town.district_id], Level.TOWN: [town.pk, other_town.pk]}
    client.force_login(office_user)

    # then: each figure at each level is the number of rows its list finds
    checked = 0
    for indicator in INDICATORS.of_domain(Domain.AUDITS):
        if indicator.aggregation == Aggregation.RATIO:
            assert indicator.records is None
            continue
        assert indicator.records is not None, indicator.code
        assert indicator.records(Level.VILLAGE, story.town.pk, period) is None
        for level, unit_ids in units.items():
            for unit_id in unit_ids:
                url = indicator.records(level, unit_id, period)
                response = client.get(url)
                assert response.status_code == 200, url
                figure = values[level][unit_id][indicator.code]
                assert response.context["paginator"].count == figure, (indicator.code, url)
                assert_filter_bar_shows(response, url)
                checked += 1
    assert checked == 7 * 3
