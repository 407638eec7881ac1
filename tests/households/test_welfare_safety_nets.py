"""Safety nets (points 8, 9): dibao against the poverty line, the special poverty insurance, hospital stays."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

import households.admin_reference  # noqa: F401  (registered by households/admin.py once it imports it)
from history.models import Seal
from households.choices import HouseholdStatus, Relation
from households.models import (
    DibaoEnrolment,
    DibaoStandard,
    HospitalStay,
    Household,
    InsuranceEnrolment,
    InsuranceScheme,
    PovertyLine,
)
from households.rules import SELF_PAY_LIMIT, self_pay_share_shown
from households.selectors.welfare import (
    dibao_year_checks,
    dibao_year_flags,
    hospital_stays_flagged,
    hospital_stays_with_share,
    insurance_year_checks,
    insurance_year_flags,
)
from households.services.welfare import (
    dibao_enrolment_add,
    dibao_enrolment_end,
    hospital_stay_add,
    insurance_enrol_household,
    insurance_enrol_households,
)
from households.views import welfare as welfare_views
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, member_born

pytestmark = pytest.mark.django_db


def render_section(key, household, user, rf) -> str:
    """A welfare section of the household page, rendered the way the detail page renders it."""
    section = next(section for section in welfare_views.detail_sections if section.key == key)
    request = rf.get("/")
    request.user = user
    context = {"household": household, **section.context(household=household, user=user)}
    return render_to_string(section.template, context, request)


def make_stay(member, *, total_cost, self_paid, designated=True) -> HospitalStay:
    return HospitalStay.objects.create(
        member=member,
        hospital="兰山区人民医院",
        designated=designated,
        admitted_on=dt.date(2018, 4, 2),
        total_cost=Decimal(total_cost),
        self_paid=Decimal(self_paid),
    )


# --- Point 8: the dibao standard above the poverty line ---------------------------------------------------------


def test_a_dibao_standard_equal_to_the_poverty_line_is_flagged_and_one_above_is_not():
    # given
    PovertyLine.objects.create(year=2017, amount=Decimal("3400.00"))
    DibaoStandard.objects.create(year=2017, amount=Decimal("3400.00"))
    PovertyLine.objects.create(year=2018, amount=Decimal("3600.00"))
    DibaoStandard.objects.create(year=2018, amount=Decimal("3600.01"))
    # when
    checks = {check.year: check for check in dibao_year_checks()}
    # then
    assert checks[2017].flagged and checks[2017].not_above_line
    assert not checks[2018].flagged
    assert checks[2018].margin == Decimal("0.01")


def test_a_dibao_standard_below_the_poverty_line_is_flagged():
    # given
    PovertyLine.objects.create(year=2016, amount=Decimal("3300.00"))
    DibaoStandard.objects.create(year=2016, amount=Decimal("3200.00"))
    # when
    flags = dibao_year_flags()
    # then
    assert [flag.year for flag in flags] == [2016]
    assert "2016" in flags[0].message


def test_a_year_with_a_poverty_line_but_no_dibao_standard_is_flagged_and_a_standard_without_a_line_is_not():
    # given
    PovertyLine.objects.create(year=2019, amount=Decimal("3700.00"))
    DibaoStandard.objects.create(year=2015, amount=Decimal("3000.00"))
    # when
    checks = {check.year: check for check in dibao_year_checks()}
    # then
    assert checks[2019].flagged and checks[2019].missing_standard
    assert not checks[2015].flagged
    assert [flag.year for flag in dibao_year_flags()] == [2019]


def test_dibao_enrolment_is_recorded_and_ended(village, office_user):
    # given
    household = HouseholdFactory(village=village)
    member_born(household, relation=Relation.HEAD)
    member_born(household)
    # when
    enrolment = dibao_enrolment_add(
        user=office_user,
        household=household,
        monthly_amount=Decimal("300.00"),
        persons=2,
        starts_on=dt.date(2018, 1, 1),
    )
    dibao_enrolment_end(user=office_user, enrolment=enrolment, ends_on=dt.date(2018, 12, 31))
    # then
    enrolment.refresh_from_db()
    assert (enrolment.persons, enrolment.ends_on) == (2, dt.date(2018, 12, 31))


def test_dibao_enrolment_refuses_more_persons_than_members_and_an_overlapping_period(village, office_user):
    # given
    household = HouseholdFactory(village=village)
    member_born(household)
    dibao_enrolment_add(
        user=office_user, household=household, monthly_amount=Decimal("300"), persons=1, starts_on=dt.date(2018, 1, 1)
    )
    # when
    with pytest.raises(ValidationError) as caught:
        dibao_enrolment_add(
            user=office_user,
            household=household,
            monthly_amount=Decimal("0"),
            persons=3,
            starts_on=dt.date(2018, 6, 1),
        )
    # then
    assert set(caught.value.message_dict) == {"monthly_amount", "persons", "starts_on"}
    assert DibaoEnrolment.objects.count() == 1


def test_dibao_enrolment_cannot_end_before_it_starts_nor_end_twice(village, office_user):
    # given
    household = HouseholdFactory(village=village)
    member_born(household)
    enrolment = dibao_enrolment_add(
        user=office_user, household=household, monthly_amount=Decimal("300"), persons=1, starts_on=dt.date(2018, 3, 1)
    )
    # when / then
    with pytest.raises(ValidationError) as caught:
        dibao_enrolment_end(user=office_user, enrolment=enrolment, ends_on=dt.date(2018, 2, 1))
    assert "ends_on" in caught.value.message_dict
    dibao_enrolment_end(user=office_user, enrolment=enrolment, ends_on=dt.date(2018, 3, 31))
    with pytest.raises(ValidationError):
        dibao_enrolment_end(user=office_user, enrolment=enrolment, ends_on=dt.date(2018, 4, 30))


def test_dibao_add_page_records_the_enrolment_and_shows_the_errors(client, make_user, village):
    # given
    household = HouseholdFactory(village=village)
    member_born(household)
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    url = reverse("households:dibao_enrolment_add", args=[household.pk])
    # when
    refused = client.post(url, {"monthly_amount": "300", "persons": "5", "starts_on": "2018-01-01"})
    accepted = client.post(url, {"monthly_amount": "300", "persons": "1", "starts_on": "2018-01-01"})
    # then
    assert refused.status_code == 200 and refused.context["form"].errors["persons"]
    assert accepted.status_code == 302
    assert (
        accepted["Location"]
        == reverse("households:household_detail", args=[household.pk]) + "?tab=safety-nets#tab-safety-nets"
    )
    assert household.dibao_enrolments.count() == 1


def test_the_dibao_flags_show_on_the_dibao_page_and_the_safety_nets_section_for_everyone(
    client, rf, make_user, village
):
    # given
    PovertyLine.objects.create(year=2018, amount=Decimal("3600"))
    DibaoStandard.objects.create(year=2018, amount=Decimal("3500"))
    household = HouseholdFactory(village=village)
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    client.force_login(clerk)
    # when
    add_page = client.get(reverse("households:dibao_enrolment_add", args=[household.pk]))
    section = render_section("safety-nets", household, clerk, rf)
    # then
    assert add_page.content.decode().count('data-testid="welfare-flag"') == 1
    assert section.count('data-testid="welfare-flag"') == 1


# --- The reference data checks page: district office and audit only -------------------------------------------


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.AUDIT])
def test_reference_checks_page_lists_flagged_years_for_the_district_office_and_audit(client, make_user, role):
    # given
    PovertyLine.objects.create(year=2018, amount=Decimal("3600"))
    DibaoStandard.objects.create(year=2018, amount=Decimal("3600"))
    InsuranceScheme.objects.create(year=2017, per_capita_funding=Decimal("120"))
    InsuranceScheme.objects.create(year=2018, per_capita_funding=Decimal("100"))
    client.force_login(make_user(role))
    # when
    response = client.get(reverse("households:reference_checks"))
    # then
    assert response.status_code == 200
    assert response.content.decode().count('data-flagged="1"') == 2


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.VILLAGE_CLERK, Role.DISTRICT_FINANCE])
def test_reference_checks_page_is_refused_to_everyone_else(client, make_user, village, role):
    # given
    place = {"village": village} if role == Role.VILLAGE_CLERK else {"town": village.town}
    user = make_user(role, **place) if role != Role.DISTRICT_FINANCE else make_user(role)
    client.force_login(user)
    # when
    response = client.get(reverse("households:reference_checks"))
    # then
    assert response.status_code == 403


# --- Point 9: insurance funding not below the previous year ------------------------------------------------------


def test_an_insurance_year_funded_below_the_previous_year_is_flagged_and_an_equal_or_higher_one_is_not():
    # given
    for year, funding in [(2016, "100.00"), (2017, "120.00"), (2018, "119.99"), (2019, "119.99"), (2020, "150.00")]:
        InsuranceScheme.objects.create(year=year, per_capita_funding=Decimal(funding))
    # when
    checks = {check.year: check for check in insurance_year_checks()}
    # then
    assert [year for year, check in sorted(checks.items()) if check.flagged] == [2018]
    assert checks[2016].previous_year is None and not checks[2016].flagged
    assert (checks[2018].previous_year, checks[2018].previous_funding) == (2017, Decimal("120.00"))
    assert "2017" in checks[2018].message


def test_an_insurance_year_is_compared_with_the_latest_earlier_scheme_year_when_a_year_is_missing():
    # given
    InsuranceScheme.objects.create(year=2016, per_capita_funding=Decimal("130"))
    InsuranceScheme.objects.create(year=2018, per_capita_funding=Decimal("125"))
    # when
    flags = insurance_year_flags()
    # then
    assert [(flag.year, flag.previous_year) for flag in flags] == [(2018, 2016)]


# --- Point 9: enrolment in the insurance, set-based ---------------------------------------------------------------


def test_bulk_enrolment_enrols_members_of_not_yet_out_and_out_with_policies_households_only(village, office_user):
    # given
    scheme = InsuranceScheme.objects.create(year=2018, per_capita_funding=Decimal("120"))
    not_out = HouseholdFactory(village=village, status=HouseholdStatus.NOT_OUT)
    continuing = HouseholdFactory(village=village, status=HouseholdStatus.OUT_CONTINUING)
    ended = HouseholdFactory(village=village, status=HouseholdStatus.OUT_ENDED)
    marginal = HouseholdFactory(village=village, status=HouseholdStatus.MARGINAL)
    eligible = [member_born(not_out), member_born(not_out), member_born(continuing)]
    member_born(ended)
    member_born(marginal)
    InsuranceEnrolment.objects.create(member=eligible[0], scheme=scheme)
    sealed_before = Seal.objects.event_count()
    # when
    enrolled = insurance_enrol_households(user=office_user, scheme=scheme, households=Household.objects.all())
    again = insurance_enrol_households(user=office_user, scheme=scheme, households=Household.objects.all())
    # then
    assert (enrolled, again) == (2, 0)
    assert set(InsuranceEnrolment.objects.values_list("member", flat=True)) == {member.pk for member in eligible}
    assert Seal.objects.event_count() == sealed_before + 2  # the set-based insert is in the history too


def test_household_enrolment_is_refused_for_a_household_whose_policies_ended(village, office_user):
    # given
    scheme = InsuranceScheme.objects.create(year=2018, per_capita_funding=Decimal("120"))
    household = HouseholdFactory(village=village, status=HouseholdStatus.OUT_ENDED)
    member_born(household)
    # when
    with pytest.raises(ValidationError):
        insurance_enrol_household(user=office_user, household=household, scheme=scheme)
    # then
    assert not InsuranceEnrolment.objects.exists()


def test_town_enrolment_page_enrols_that_towns_eligible_members_only(client, make_user, village, other_village):
    # given
    scheme = InsuranceScheme.objects.create(year=2018, per_capita_funding=Decimal("120"))
    here = member_born(HouseholdFactory(village=village))
    member_born(HouseholdFactory(village=other_village))
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    # when
    response = client.post(reverse("households:insurance_enrol_town", args=[village.town.pk]), {"scheme": scheme.pk})
    # then
    assert response.status_code == 302
    assert list(InsuranceEnrolment.objects.values_list("member", flat=True)) == [here.pk]


def test_household_enrolment_page_enrols_every_member(client, make_user, village):
    # given
    scheme = InsuranceScheme.objects.create(year=2019, per_capita_funding=Decimal("120"))
    household = HouseholdFactory(village=village)
    members = {member_born(household).pk, member_born(household).pk}
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    # when
    response = client.post(reverse("households:insurance_enrol_household", args=[household.pk]), {"scheme": scheme.pk})
    # then
    assert response.status_code == 302
    assert set(InsuranceEnrolment.objects.values_list("member", flat=True)) == members


# --- Point 9: the self-paid share at designated hospitals ------------------------------------------------------


@pytest.mark.parametrize(
    ("total_cost", "self_paid", "designated", "share", "flagged"),
    [
        ("1000.00", "100.00", True, Decimal("10.00"), True),  # exactly 10%: flagged
        ("10000.00", "999.00", True, Decimal("9.99"), False),  # 9.99%: not flagged
        ("10000.00", "999.50", True, Decimal("9.99"), False),  # 9.995%: under 10%, so never shown as 10.00%
        ("100000.00", "9999.50", True, Decimal("9.99"), False),  # 9.9995%: shown rounded down
        ("10000.00", "999.49", True, Decimal("9.99"), False),
        ("100000.00", "10000.00", True, Decimal("10.00"), True),  # exactly 10%: flagged and shown as 10.00%
        ("100000.00", "10000.50", True, Decimal("10.00"), True),  # 10.0005%: flagged, never shown below 10%
        ("1000.00", "450.00", False, Decimal("45.00"), False),  # not a designated hospital
        ("3.00", "1.00", True, Decimal("33.33"), True),
        ("500.00", "0.00", True, Decimal("0.00"), False),
    ],
)
def test_self_paid_share_is_shown_rounded_down_and_flagged_from_exactly_ten_percent_at_designated_hospitals(
    village, total_cost, self_paid, designated, share, flagged
):
    # given
    stay = make_stay(
        member_born(HouseholdFactory(village=village)),
        total_cost=total_cost,
        self_paid=self_paid,
        designated=designated,
    )
    # when
    annotated = hospital_stays_with_share(HospitalStay.objects.filter(pk=stay.pk)).get()
    # then
    assert annotated.self_pay_share == share == self_pay_share_shown(Decimal(self_paid), Decimal(total_cost))
    assert annotated.self_pay_flagged is flagged
    assert (annotated.self_pay_share >= SELF_PAY_LIMIT) is (flagged or (not designated and share >= SELF_PAY_LIMIT))


def test_household_page_and_flagged_list_never_show_an_unflagged_share_as_ten_percent(client, rf, make_user, village):
    # given: 9.9995% (under the limit) and 10.0005% (over it)
    household = HouseholdFactory(village=village)
    make_stay(member_born(household), total_cost="100000.00", self_paid="9999.50")
    make_stay(member_born(household), total_cost="100000.00", self_paid="10000.50")
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    client.force_login(staff)
    # when
    section = render_section("safety-nets", household, staff, rf)
    flagged = client.get(reverse("households:hospital_stays_flagged")).content.decode()
    # then
    assert "9.99%" in section
    assert section.count("10.00%") == 1
    assert section.count('data-flagged="1"') == 1
    assert "10.00%" in flagged
    assert "9.99%" not in flagged


def test_flagged_stays_list_is_scoped_and_filtered_per_town(client, make_user, office_user, village, other_village):
    # given
    here = make_stay(member_born(HouseholdFactory(village=village)), total_cost="1000", self_paid="100")
    make_stay(member_born(HouseholdFactory(village=village)), total_cost="1000", self_paid="99.90")
    there = make_stay(member_born(HouseholdFactory(village=other_village)), total_cost="1000", self_paid="200")
    town_staff = make_user(Role.TOWN_STAFF, town=village.town)
    url = reverse("households:hospital_stays_flagged")
    # when
    own = list(hospital_stays_flagged(user=town_staff))
    district = list(hospital_stays_flagged(user=office_user))
    client.force_login(office_user)
    filtered = client.get(url, {"town": other_village.town.pk})
    client.force_login(town_staff)
    page = client.get(url)
    # then
    assert own == [here]
    assert set(district) == {here, there}
    assert list(filtered.context["object_list"]) == [there]
    assert list(page.context["object_list"]) == [here]


def test_hospital_stay_refuses_a_self_paid_amount_above_the_total_and_a_discharge_before_admission(
    village, office_user
):
    # given
    member = member_born(HouseholdFactory(village=village))
    # when
    with pytest.raises(ValidationError) as caught:
        hospital_stay_add(
            user=office_user,
            member=member,
            hospital="兰山区人民医院",
            designated=True,
            admitted_on=dt.date(2018, 5, 2),
            discharged_on=dt.date(2018, 5, 1),
            total_cost=Decimal("1000"),
            self_paid=Decimal("1000.01"),
        )
    # then
    assert set(caught.value.message_dict) == {"self_paid", "discharged_on"}


def test_hospital_stay_page_records_a_stay(client, make_user, village):
    # given
    member = member_born(HouseholdFactory(village=village))
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    # when
    response = client.post(
        reverse("households:hospital_stay_add", args=[member.pk]),
        {
            "hospital": "兰山区人民医院",
            "designated": "on",
            "admitted_on": "2018-05-01",
            "discharged_on": "2018-05-09",
            "total_cost": "8000.00",
            "self_paid": "640.00",
        },
    )
    # then
    assert response.status_code == 302
    assert member.hospital_stays.get().self_paid == Decimal("640.00")


def test_the_reference_data_admin_is_open_to_the_district_office_only(client, office_user, make_user, village):
    # given
    PovertyLine.objects.create(year=2018, amount=Decimal("3600"))
    DibaoStandard.objects.create(year=2018, amount=Decimal("3500"))
    InsuranceScheme.objects.create(year=2018, per_capita_funding=Decimal("120"))
    town_staff = make_user(Role.TOWN_STAFF, town=village.town)
    town_staff.is_staff = True
    town_staff.save()
    urls = [
        reverse("admin:households_povertyline_changelist"),
        reverse("admin:households_dibaostandard_changelist"),
        reverse("admin:households_insurancescheme_changelist"),
        reverse("admin:households_povertyline_add"),
    ]
    # when
    client.force_login(office_user)
    office = [client.get(url).status_code for url in urls]
    client.force_login(town_staff)
    staff = [client.get(url).status_code for url in urls]
    # then
    assert office == [200, 200, 200, 200]
    assert staff == [403, 403, 403, 403]
