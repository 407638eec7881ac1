"""Every welfare URL holds against users of another town; the district-only page holds against town staff."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from households.choices import HousingGrade, Relation, SchoolStage
from households.models import (
    DibaoEnrolment,
    HospitalStay,
    Household,
    InsuranceScheme,
    LeftBehindChild,
    RenovationPlan,
    WaterSupplySurvey,
)
from households.selectors.welfare import years_before
from organisation.models import Village
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, member_born
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db

ROLES = [Role.TOWN_STAFF, Role.VILLAGE_CLERK]


@pytest.fixture
def records(village):
    """One record of every kind the welfare pages touch, in ``village``."""
    village.is_key_village = True
    village.save()
    household = HouseholdFactory(village=village, housing_grade=HousingGrade.C)
    HouseholdFactory(village=village, housing_grade=HousingGrade.D)  # dilapidated, no plan yet
    adult = member_born(household, relation=Relation.HEAD)
    today = timezone.localdate()
    child = member_born(household, birth_date=years_before(today, 9), school_stage=SchoolStage.PRIMARY)
    younger_child = member_born(household, birth_date=years_before(today, 7))
    DibaoEnrolment.objects.create(
        household=household,
        monthly_amount=Decimal("280"),
        persons=2,
        starts_on=dt.date(2017, 1, 1),
        ends_on=dt.date(2017, 12, 31),
    )
    enrolment = DibaoEnrolment.objects.create(
        household=household, monthly_amount=Decimal("300"), persons=2, starts_on=dt.date(2018, 1, 1)
    )
    stay = HospitalStay.objects.create(
        member=adult,
        hospital="兰山区人民医院",
        admitted_on=dt.date(2018, 3, 1),
        total_cost=Decimal("1000"),
        self_paid=Decimal("150"),
    )
    plan = RenovationPlan.objects.create(
        household=household, planned_start=dt.date(2018, 3, 1), planned_completion=dt.date(2018, 9, 30)
    )
    survey = WaterSupplySurvey.objects.create(
        village=village,
        year=2018,
        households=100,
        centralised_households=90,
        tap_households=80,
        guaranteed_households=95,
    )
    left_behind = LeftBehindChild.objects.create(
        member=child, guardian_name="王秀英", guardian_relation="祖母", guardian_phone="13905391234"
    )
    scheme = InsuranceScheme.objects.create(year=2018, per_capita_funding=Decimal("120"))
    return SimpleNamespace(
        village=village,
        town=village.town,
        household=household,
        adult=adult,
        child=child,
        younger_child=younger_child,
        enrolment=enrolment,
        stay=stay,
        plan=plan,
        survey=survey,
        left_behind=left_behind,
        scheme=scheme,
    )


# (url name, the URL's pk from the records, valid data for a POST or None where the page has no form)
RECORD_URLS = [
    (
        "dibao_enrolment_add",
        lambda r: r.household.pk,
        lambda r: {"monthly_amount": "250", "persons": "1", "starts_on": "2016-01-01", "ends_on": "2016-12-31"},
    ),
    ("dibao_enrolment_end", lambda r: r.enrolment.pk, lambda r: {"ends_on": "2018-12-31"}),
    ("insurance_enrol_household", lambda r: r.household.pk, lambda r: {"scheme": r.scheme.pk}),
    ("insurance_enrol_town", lambda r: r.town.pk, lambda r: {"scheme": r.scheme.pk}),
    (
        "hospital_stay_add",
        lambda r: r.adult.pk,
        lambda r: {"hospital": "区中医院", "admitted_on": "2018-05-01", "total_cost": "500", "self_paid": "20"},
    ),
    (
        "housing_grade",
        lambda r: r.household.pk,
        lambda r: {"housing_grade": "A", "housing_appraised_on": "2018-10-01"},
    ),
    (
        "renovation_plan_add",
        lambda r: r.household.pk,
        lambda r: {"planned_start": "2019-03-01", "planned_completion": "2019-09-30"},
    ),
    (
        "renovation_plan_update",
        lambda r: r.plan.pk,
        lambda r: {
            "planned_start": "2018-03-01",
            "planned_completion": "2018-09-30",
            "completed_on": "2018-09-01",
            "accepted_grade": "A",
        },
    ),
    (
        "water_survey_add",
        lambda r: r.village.pk,
        lambda r: {
            "year": "2017",
            "households": "100",
            "centralised_households": "50",
            "tap_households": "50",
            "guaranteed_households": "50",
        },
    ),
    (
        "water_survey_update",
        lambda r: r.survey.pk,
        lambda r: {
            "year": "2018",
            "households": "100",
            "centralised_households": "91",
            "tap_households": "80",
            "guaranteed_households": "95",
        },
    ),
    (
        "water_sample_add",
        lambda r: r.village.pk,
        lambda r: {"sampled_on": "2018-06-01", "sampling_point": "村委会", "passed": "on"},
    ),
    (
        "education_aid_add",
        lambda r: r.child.pk,
        lambda r: {"year": "2018", "kind": "义务教育阶段补助", "amount": "500"},
    ),
    ("dropout_risk", lambda r: r.child.pk, lambda r: {"dropout_risk": "on"}),
    (
        "left_behind_add",
        lambda r: r.younger_child.pk,
        lambda r: {"guardian_name": "王秀英", "guardian_relation": "祖母", "guardian_phone": "13905391234"},
    ),
    (
        "left_behind_update",
        lambda r: r.left_behind.pk,
        lambda r: {"guardian_name": "王秀英", "guardian_relation": "祖母", "guardian_phone": "13800000000"},
    ),
    ("contact_card", lambda r: r.left_behind.pk, None),
    ("care_room_add", lambda r: r.village.pk, lambda r: {"name": "关爱室", "opened_on": "2018-06-01"}),
]

# Lists: another town's user is refused when naming the town, and sees none of its records without naming it.
LIST_URLS = [
    "hospital_stays_flagged",
    "unsafe_houses",
    "renovation_plans_overdue",
    "water_rates",
    "school_age_at_risk",
    "care_rooms_missing",
]


def record_url(name, pk_of, records) -> str:
    return reverse(f"households:{name}", args=[pk_of(records)])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "pk_of", "data_of"), RECORD_URLS, ids=[case[0] for case in RECORD_URLS])
def test_record_pages_refuse_another_towns_user(client, records, role, name, pk_of, data_of):
    url = record_url(name, pk_of, records)
    assert_other_town_refused(client, url, role=role)
    if data_of is not None:
        assert_other_town_refused(client, url, role=role, method="post", data=data_of(records))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", LIST_URLS)
def test_lists_refuse_a_filter_on_another_town_and_show_none_of_its_records(client, records, role, name):
    url = reverse(f"households:{name}")
    response = assert_other_town_refused(client, f"{url}?town={records.town.pk}", role=role)
    assert response.status_code == 404
    unfiltered = client.get(url)  # still logged in as the stranger
    assert unfiltered.status_code == 200
    assert [item for item in unfiltered.context["object_list"] if town_of(item) == records.town] == []


def town_of(item):
    if isinstance(item, Village):
        return item.town
    if isinstance(item, Household):
        return item.village.town
    if isinstance(item, HospitalStay):
        return item.member.household.village.town
    return item.household.village.town  # Member, RenovationPlan


@pytest.mark.parametrize("role", ROLES)
def test_reference_checks_refuse_another_towns_user(client, role):
    response = assert_other_town_refused(client, reverse("households:reference_checks"), role=role)
    assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_the_users_own_records_open_for_them(client, make_user, records, role):
    """The same pages answer for a user of the records' own town or village (the refusals above are not blanket)."""
    place = {"village": records.village} if role == Role.VILLAGE_CLERK else {"town": records.town}
    client.force_login(make_user(role, **place))
    statuses = {}
    for name, pk_of, _data_of in RECORD_URLS:
        if name == "insurance_enrol_town" and role == Role.VILLAGE_CLERK:
            continue  # a whole town's enrolment is town work
        statuses[name] = client.get(record_url(name, pk_of, records)).status_code
    for name in LIST_URLS:
        response = client.get(reverse(f"households:{name}"), {"town": records.town.pk})
        statuses[name] = response.status_code
        assert len(response.context["object_list"]) == 1, name
    assert set(statuses.values()) == {200}, statuses


def test_a_village_clerk_cannot_enrol_a_whole_town(client, make_user, records):
    client.force_login(make_user(Role.VILLAGE_CLERK, village=records.village))
    response = client.post(
        reverse("households:insurance_enrol_town", args=[records.town.pk]), {"scheme": records.scheme.pk}
    )
    assert response.status_code == 404


def test_the_audit_bureau_reads_but_cannot_write(client, make_user, records):
    client.force_login(make_user(Role.AUDIT))
    assert client.get(reverse("households:contact_card", args=[records.left_behind.pk])).status_code == 200
    response = client.post(
        reverse("households:housing_grade", args=[records.household.pk]),
        {"housing_grade": "A", "housing_appraised_on": "2018-10-01"},
    )
    assert response.status_code == 404


def test_the_household_page_carries_the_three_welfare_tabs(client, make_user, records):
    client.force_login(make_user(Role.VILLAGE_CLERK, village=records.village))
    response = client.get(reverse("households:household_detail", args=[records.household.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f'id="tab-{key}"' in html for key in ("safety-nets", "housing-water", "education"))
