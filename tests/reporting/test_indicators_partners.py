"""The people-and-partners figures (points 15, 16 and 18) against records made by hand through the partners services:
each figure of this month and of the month before, for two towns and the district, counted below by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from organisation.roles import Level, Role
from partners.models import Department
from partners.services import forces, secretaries, sectors, training
from reporting.choices import Domain
from reporting.indicators import INDICATORS, Period
from reporting.services.summary import figures_compute
from tests.factories.organisation import VillageFactory, post_user

pytestmark = pytest.mark.django_db

Y = Decimal
TODAY = dt.date(2026, 11, 18)
LAST_MONTH = Period(dt.date(2026, 10, 1))


@pytest.fixture
def story(clock, town, other_town):
    """Town A (``town``) and town B (``other_town``):

    - key villages A1 (a serving secretary), A2 (its secretary left on 10 November), B1 (none); A3 is not a key
      village and has none;
    - pairing money: A1 10,000.00 (March) and 2,500.50 (5 November), 99,999 last year, and 3 people (not money);
      B1 7,000.00 (15 October);
    - volunteer hours: A 12.5 (June) and 3 (2 November); B 8 last year. Donations: A 5,000.00 (3 November) and goods
      worth 800 (not money); B 1,200.00 (February);
    - staff: A a town staff (trained in April), a finance officer (at a training, absent), a village clerk of A1
      (trained 10 November); B a town staff (trained last year); the district office is not counted.
    """
    clock.set(TODAY)
    office = post_user(Role.DISTRICT_OFFICE)
    staff_a = post_user(Role.TOWN_STAFF, town=town)
    finance_a = post_user(Role.TOWN_FINANCE, town=town)
    a1, a2 = VillageFactory(town=town, is_key_village=True), VillageFactory(town=town, is_key_village=True)
    VillageFactory(town=town, is_key_village=False)
    b1 = VillageFactory(town=other_town, is_key_village=True)
    clerk_a1 = post_user(Role.VILLAGE_CLERK, village=a1)
    staff_b = post_user(Role.TOWN_STAFF, town=other_town)

    def appoint(village, name, ends_on=None):
        return secretaries.secretary_appoint(
            user=office, village=village, name=name, unit="区财政局", post="科员", starts_on=dt.date(2026, 1, 1),
            ends_on=ends_on,
        )  # fmt: skip

    appoint(a1, "刘洋")
    appoint(a2, "王磊", ends_on=dt.date(2026, 11, 10))

    department = Department.objects.create(name="区交通运输局")
    pair_a1 = sectors.pairing_add(user=office, department=department, village=a1, starts_on=dt.date(2025, 1, 1))
    pair_b1 = sectors.pairing_add(user=office, department=department, village=b1, starts_on=dt.date(2026, 1, 1))
    for pairing, day, amount in (
        (pair_a1, dt.date(2026, 3, 1), Y("10000")),
        (pair_a1, dt.date(2026, 11, 5), Y("2500.50")),
        (pair_a1, dt.date(2025, 12, 20), Y("99999")),
        (pair_b1, dt.date(2026, 10, 15), Y("7000")),
    ):
        sectors.pairing_support_add(user=office, pairing=pairing, kind="money", given_on=day, amount=amount)
    sectors.pairing_support_add(user=office, pairing=pair_a1, kind="people", given_on=dt.date(2026, 11, 1), people=3)

    force = forces.social_force_add(user=office, name="临沂爱心志愿者协会", kind="organisation")
    for kind, day, where, extra in (
        ("hours", dt.date(2026, 6, 1), town, {"hours": Y("12.5")}),
        ("hours", dt.date(2026, 11, 2), town, {"hours": Y("3")}),
        ("hours", dt.date(2025, 5, 5), other_town, {"hours": Y("8")}),
        ("money", dt.date(2026, 11, 3), town, {"amount": Y("5000")}),
        ("goods", dt.date(2026, 11, 3), town, {"amount": Y("800"), "description": "棉被"}),
        ("money", dt.date(2026, 2, 2), other_town, {"amount": Y("1200")}),
    ):
        forces.contribution_record(user=office, force=force, kind=kind, given_on=day, town=where, **extra)

    def session(place_town, day, people):
        return training.training_record(
            user=office, level="town", town=place_town, topic="policy", title="扶贫政策培训", held_on=day,
            staff=people,
        )  # fmt: skip

    session(town, dt.date(2026, 4, 1), [staff_a])
    absent = session(town, dt.date(2026, 5, 1), [finance_a]).attendance.get()
    training.attendance_mark(user=office, attendance=absent, attended=False)
    session(town, dt.date(2026, 11, 10), [clerk_a1])
    session(other_town, dt.date(2025, 6, 1), [staff_b])
    return town, other_town


def figures(story, period: Period) -> dict[str, tuple]:
    """(town A, town B, the district) of each partners figure."""
    town, other_town = story
    values = figures_compute(period).values
    return {
        indicator.code: (
            values[Level.TOWN][town.pk][indicator.code],
            values[Level.TOWN][other_town.pk][indicator.code],
            values[Level.DISTRICT][town.district_id][indicator.code],
        )
        for indicator in INDICATORS.of_domain(Domain.PARTNERS)
    }


def test_every_partners_figure_of_this_month(story):
    assert figures(story, Period.of(TODAY)) == {
        "partners_villages_without_secretary": (Y(1), Y(1), Y(2)),
        "partners_pairing_money": (Y("12500.50"), Y("7000"), Y("19500.50")),
        "partners_volunteer_hours": (Y("15.5"), Y(0), Y("15.5")),
        "partners_donations": (Y("5000"), Y("1200"), Y("6200")),
        "partners_staff": (Y(3), Y(1), Y(4)),
        "partners_staff_trained": (Y(2), Y(0), Y(2)),
        "partners_training_coverage": (Y("66.67"), Y("0.00"), Y("50.00")),
    }


def test_every_partners_figure_of_the_month_before(story):
    assert figures(story, LAST_MONTH) == {
        "partners_villages_without_secretary": (Y(0), Y(1), Y(1)),
        "partners_pairing_money": (Y("10000"), Y("7000"), Y("17000")),
        "partners_volunteer_hours": (Y("12.5"), Y(0), Y("12.5")),
        "partners_donations": (Y(0), Y("1200"), Y("1200")),
        "partners_staff": (Y(3), Y(1), Y(4)),
        "partners_staff_trained": (Y(1), Y(0), Y(1)),
        "partners_training_coverage": (Y("33.33"), Y("0.00"), Y("25.00")),
    }


def test_a_village_counts_its_own_pairing_money_and_missing_secretary(story):
    # the finest level of the village figures is the village: the town's figure is its villages' sum
    town, _ = story
    values = figures_compute(Period.of(TODAY)).values[Level.VILLAGE]
    villages = town.villages.order_by("code")
    assert [values[v.pk]["partners_villages_without_secretary"] for v in villages] == [Y(0), Y(1), Y(0)]
    assert [values[v.pk]["partners_pairing_money"] for v in villages] == [Y("12500.50"), Y(0), Y(0)]


def test_each_figure_serves_its_point_and_its_lists_open(story, client):
    client.force_login(post_user(Role.DISTRICT_OFFICE))
    for indicator in INDICATORS.of_domain(Domain.PARTNERS):
        assert indicator.point in {"15", "16", "18"} and indicator.definition
        if indicator.records:
            url = indicator.records(Level.DISTRICT, story[0].district_id, Period.of(TODAY))
            assert url and client.get(url).status_code == 200
            assert indicator.records(Level.TOWN, story[0].pk, Period.of(TODAY)) is None
    assert reverse("partners:untrained")
