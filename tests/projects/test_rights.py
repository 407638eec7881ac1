"""Property rights and assets (point 3): the four rights, confirmation, the three-assets platform, asset
registration, the controlled mortgage or guarantee, and which built projects still lack their paperwork."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from organisation.roles import Role
from projects.models import (
    AssetEncumbrance,
    BlacklistEntry,
    EncumbranceKind,
    EncumbranceStatus,
    IncomeShare,
    ProjectStatus,
    PropertyRightConfirmation,
)
from projects.selectors import rights as selectors
from projects.services import enterprises as enterprise_services
from projects.services import rights as services
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import VillageFactory
from tests.factories.projects import EnterpriseFactory, ProjectFactory, operating_project

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def station(make_user, town):
    return make_user(Role.TOWN_STATION, town=town)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


@pytest.fixture
def built(town, village):
    return ProjectFactory(
        town=town, villages=[village], status=ProjectStatus.COMPLETED, completed_on=dt.date(2019, 5, 1)
    )


def blacklisted(office_user, enterprise, *, reason="未按协议支付村集体收益", decided_on=dt.date(2024, 3, 1)):
    return enterprise_services.blacklist_add(
        user=office_user, enterprise=enterprise, reason=reason, decided_on=decided_on
    )


# --- Ownership: confirmation -----------------------------------------------------------------------------------------


def test_the_station_confirms_the_property_right_of_a_built_project(station, built):
    # when the station records the certificate
    services.property_right_confirm(
        user=station,
        project=built,
        certificate_number="LS-CQ-2019-001",
        confirmed_on=dt.date(2019, 6, 1),
        owner="王庄村村民委员会",
    )
    # then it is recorded, and the ownership right names the owner confirmed
    confirmation = PropertyRightConfirmation.objects.get(project=built)
    assert (confirmation.certificate_number, confirmation.recorded_by) == ("LS-CQ-2019-001", station)
    built.refresh_from_db()
    assert built.ownership_holder == "王庄村村民委员会"


def test_a_certificate_number_is_recorded_for_one_project_only(station, built, town):
    # given a certificate recorded for a built project
    other = ProjectFactory(
        town=town, status=ProjectStatus.OPERATING, three_assets_number="SZ-1", entered_as_existing=True
    )
    services.property_right_confirm(
        user=station, project=built, certificate_number="LS-CQ-1", confirmed_on=dt.date(2019, 6, 1), owner="村集体"
    )
    # when its number is recorded for another project
    with pytest.raises(ValidationError) as refused:
        services.property_right_confirm(
            user=station, project=other, certificate_number="LS-CQ-1", confirmed_on=TODAY, owner="村集体"
        )
    # then the number is refused
    assert "certificate_number" in refused.value.message_dict


def test_a_project_not_yet_built_has_no_confirmation(station, town):
    # given a project under construction
    project = ProjectFactory(town=town, status=ProjectStatus.CONSTRUCTION)
    # when its property right is confirmed, that is refused
    with pytest.raises(ValidationError):
        services.property_right_confirm(
            user=station, project=project, certificate_number="LS-CQ-2", confirmed_on=TODAY, owner="村集体"
        )
    # then nothing was recorded
    assert not PropertyRightConfirmation.objects.exists()


def test_a_project_entered_as_existing_can_be_confirmed(station, town):
    # given a project built before and entered as existing
    project = ProjectFactory(town=town, status=ProjectStatus.APPROVED, entered_as_existing=True)
    # when its property right is confirmed
    services.property_right_confirm(
        user=station, project=project, certificate_number="LS-CQ-3", confirmed_on=TODAY, owner="村集体"
    )
    # then it is recorded
    assert PropertyRightConfirmation.objects.filter(project=project).exists()


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.DISTRICT_OFFICE])
def test_only_the_station_confirms(make_user, town, built, role):
    # given a user of another role
    user = make_user(role, town=None if role == Role.DISTRICT_OFFICE else town)
    # then they may not confirm a property right
    with pytest.raises(PermissionDenied):
        services.property_right_confirm(
            user=user, project=built, certificate_number="LS-CQ-4", confirmed_on=TODAY, owner="村集体"
        )


def test_another_towns_station_cannot_confirm(make_user, other_town, built):
    # then another town's station may not confirm the project's property right
    with pytest.raises(PermissionDenied):
        services.property_right_confirm(
            user=make_user(Role.TOWN_STATION, town=other_town),
            project=built,
            certificate_number="LS-CQ-5",
            confirmed_on=TODAY,
            owner="村集体",
        )


# --- Three-assets platform and asset registration ---------------------------------------------------------------


def test_the_three_assets_number_is_one_projects(station, built, town):
    # when the station registers the project on the three-assets platform
    services.three_assets_register(user=station, project=built, number="SZ-371302-001")
    # then it has its number
    built.refresh_from_db()
    assert built.three_assets_number == "SZ-371302-001"
    # and another project may not take the same number
    other = ProjectFactory(town=town, status=ProjectStatus.COMPLETED, completed_on=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError) as refused:
        services.three_assets_register(user=station, project=other, number="SZ-371302-001")
    assert "number" in refused.value.message_dict


def test_asset_registration_is_dated_not_in_the_future(station, built):
    # then an asset registration dated tomorrow is refused
    with pytest.raises(ValidationError) as refused:
        services.asset_register(user=station, project=built, number="BQ-1", registered_on=TODAY + dt.timedelta(days=1))
    assert "registered_on" in refused.value.message_dict
    # when it is dated today
    services.asset_register(user=station, project=built, number="BQ-1", registered_on=TODAY)
    # then the project has its registration
    built.refresh_from_db()
    assert (built.asset_registration_number, built.asset_registered_on) == ("BQ-1", TODAY)


# --- Operation: the operator and the blacklist ------------------------------------------------------------------


@pytest.mark.english
def test_a_blacklisted_enterprise_cannot_be_named_operator(staff, office_user, built):
    # given an enterprise on the blacklist
    enterprise = EnterpriseFactory()
    blacklisted(office_user, enterprise, reason="Did not pay the collective", decided_on=dt.date(2024, 3, 1))
    # when the town names it operator
    with pytest.raises(ValidationError) as refused:
        services.operator_set(user=staff, project=built, enterprise=enterprise)
    # then it is refused, saying since when and why
    message = refused.value.message_dict["operator_enterprise"][0]
    assert "is on the blacklist since 2024-03-01 (Did not pay the collective)" in message
    built.refresh_from_db()
    assert built.operator_enterprise is None


def test_lifting_the_blacklisting_allows_the_enterprise_again(staff, office_user, built):
    # given an enterprise blacklisted and then lifted
    enterprise = EnterpriseFactory()
    entry = blacklisted(office_user, enterprise)
    enterprise_services.blacklist_lift(user=office_user, entry=entry, lifted_on=TODAY, reason="已整改到位")
    # when the town names it operator
    services.operator_set(user=staff, project=built, enterprise=enterprise, agreed_annual_income=Decimal("60000"))
    # then it is, with its agreed income
    built.refresh_from_db()
    assert (built.operator_enterprise, built.agreed_annual_income) == (enterprise, Decimal("60000.00"))


def test_an_operator_blacklisted_later_stays_until_replaced(staff, office_user, built):
    # given an operator blacklisted after it was named
    enterprise = EnterpriseFactory()
    services.operator_set(user=staff, project=built, enterprise=enterprise)
    blacklisted(office_user, enterprise)
    # then changing the agreed income keeps the operator already named
    services.operator_set(user=staff, project=built, enterprise=enterprise, agreed_annual_income=Decimal("1000"))
    assert BlacklistEntry.objects.filter(enterprise=enterprise, lifted_on__isnull=True).exists()


def test_a_household_operator_is_a_registered_household_of_the_town(station, built, village, other_village):
    # then a household of another town may not operate the project
    with pytest.raises(ValidationError) as refused:
        services.operator_set(user=station, project=built, household=HouseholdFactory(village=other_village))
    assert "operator_household" in refused.value.message_dict
    # when a household of the town is named
    household = HouseholdFactory(village=VillageFactory(town=built.town))
    services.operator_set(user=station, project=built, household=household)
    # then it is the operator
    built.refresh_from_db()
    assert built.operator_household == household


def test_a_project_has_one_operator(staff, built, village):
    # then an enterprise and a household may not both operate the project
    with pytest.raises(ValidationError):
        services.operator_set(
            user=staff, project=built, enterprise=EnterpriseFactory(), household=HouseholdFactory(village=village)
        )


# --- Income: the beneficiaries' shares --------------------------------------------------------------------------


@pytest.mark.english
def test_income_shares_adding_up_to_more_than_100_are_refused(station, built, village):
    # given a household of the village
    household = HouseholdFactory(village=village)
    # when shares of 70% and 40.50% are set
    with pytest.raises(ValidationError) as refused:
        services.income_shares_set(
            user=station, project=built, shares=[(village, Decimal("70")), (household, Decimal("40.50"))]
        )
    # then they are refused, naming the 110.50%, and none is recorded
    assert "add up to 110.50%" in refused.value.message_dict["shares"][0]
    assert not IncomeShare.objects.exists()


def test_income_shares_replace_those_recorded_before(station, built, village):
    # given the village's 100%
    household = HouseholdFactory(village=village)
    services.income_shares_set(user=station, project=built, shares=[(village, Decimal("100"))])
    # when 60% for the village and 40% for a household are set
    services.income_shares_set(
        user=station, project=built, shares=[(village, Decimal("60")), (household, Decimal("40"))]
    )
    # then they replace it
    shares = {(share.village_id, share.household_id): share.percent for share in built.income_shares.all()}
    assert shares == {(village.pk, None): Decimal("60.00"), (None, household.pk): Decimal("40.00")}


@pytest.mark.parametrize("case", ["zero", "village_of_another_town", "household_outside_the_project", "twice"])
def test_income_shares_are_for_the_projects_own_beneficiaries(station, built, village, other_village, town, case):
    # given shares of nothing, of another town's village, of a household outside the project or twice
    shares = {
        "zero": [(village, Decimal("0"))],
        "village_of_another_town": [(other_village, Decimal("10"))],
        "household_outside_the_project": [(HouseholdFactory(village=VillageFactory(town=town)), Decimal("10"))],
        "twice": [(village, Decimal("10")), (village, Decimal("20"))],
    }[case]
    # when they are set
    with pytest.raises(ValidationError) as refused:
        services.income_shares_set(user=station, project=built, shares=shares)
    # then they are refused
    assert "shares" in refused.value.message_dict


# --- Mortgages and guarantees -----------------------------------------------------------------------------------


def requested(user, project, **fields) -> AssetEncumbrance:
    return services.encumbrance_request(
        user=user,
        project=project,
        kind=fields.get("kind", EncumbranceKind.MORTGAGE),
        creditor=fields.get("creditor", "兰山农商银行"),
        amount=Decimal(fields.get("amount", "200000")),
        purpose="扩大生产流动资金",
        requested_on=fields.get("requested_on", TODAY),
    )


def test_the_town_cannot_approve_its_own_mortgage(staff, station, built):
    # given a mortgage the town requested
    encumbrance = requested(staff, built)
    # when the town's staff or station approve it, that is refused
    for user in (staff, station):
        with pytest.raises(PermissionDenied):
            services.encumbrance_decide(user=user, encumbrance=encumbrance, approve=True, decided_on=TODAY)
    # then it waits
    encumbrance.refresh_from_db()
    assert encumbrance.status == EncumbranceStatus.REQUESTED


def test_the_district_approves_and_the_town_releases(staff, office_user, built):
    # given a mortgage the town requested
    encumbrance = requested(staff, built)
    # when the district approves it
    services.encumbrance_decide(user=office_user, encumbrance=encumbrance, approve=True, decided_on=TODAY)
    # then it is approved
    encumbrance.refresh_from_db()
    assert (encumbrance.status, encumbrance.decided_by) == (EncumbranceStatus.APPROVED, office_user)
    # when the town releases it
    services.encumbrance_release(user=staff, encumbrance=encumbrance, released_on=TODAY)
    # then it is released
    encumbrance.refresh_from_db()
    assert (encumbrance.status, encumbrance.released_on) == (EncumbranceStatus.RELEASED, TODAY)


def test_a_refusal_says_why(staff, office_user, built):
    # given a mortgage the town requested
    encumbrance = requested(staff, built)
    # then a refusal without a note is refused
    with pytest.raises(ValidationError) as refused:
        # when the district refuses it with a note
        services.encumbrance_decide(user=office_user, encumbrance=encumbrance, approve=False, decided_on=TODAY)
    assert "note" in refused.value.message_dict
    services.encumbrance_decide(
        user=office_user, encumbrance=encumbrance, approve=False, decided_on=TODAY, note="资产为扶贫资金形成，不得抵押"
    )
    # then it is refused
    encumbrance.refresh_from_db()
    assert encumbrance.status == EncumbranceStatus.REFUSED


def test_only_an_approved_encumbrance_is_released_and_a_decision_is_made_once(staff, office_user, built):
    # given a mortgage the town requested
    encumbrance = requested(staff, built)
    # then it cannot be released before it is approved
    with pytest.raises(ValidationError):
        services.encumbrance_release(user=staff, encumbrance=encumbrance, released_on=TODAY)
    # and once approved, it cannot be decided again
    services.encumbrance_decide(user=office_user, encumbrance=encumbrance, approve=True, decided_on=TODAY)
    with pytest.raises(ValidationError):
        services.encumbrance_decide(
            user=office_user, encumbrance=encumbrance, approve=False, decided_on=TODAY, note="x"
        )


def test_the_active_encumbrance_count_follows_the_status(staff, office_user, built):
    def count():
        return selectors.with_active_encumbrances(type(built).objects.filter(pk=built.pk)).get().active_encumbrances

    # given no encumbrance
    assert count() == 0
    # when two are requested, then one approved and one refused, then the approved released
    first, second = requested(staff, built), requested(staff, built, kind=EncumbranceKind.GUARANTEE)
    # then the count follows: 2, 1, 0
    assert count() == 2
    services.encumbrance_decide(user=office_user, encumbrance=first, approve=True, decided_on=TODAY)
    services.encumbrance_decide(user=office_user, encumbrance=second, approve=False, decided_on=TODAY, note="不同意")
    assert count() == 1
    services.encumbrance_release(user=office_user, encumbrance=first, released_on=TODAY)
    assert count() == 0


def test_an_encumbrance_needs_an_amount_and_a_creditor(staff, built):
    # then an encumbrance of nothing is refused
    with pytest.raises(ValidationError) as refused:
        requested(staff, built, amount="0")
    assert "amount" in refused.value.message_dict
    # and so is one without a creditor
    with pytest.raises(ValidationError) as refused:
        requested(staff, built, creditor=" ")
    assert "creditor" in refused.value.message_dict


# --- Which built projects lack their paperwork ------------------------------------------------------------------


def test_unconfirmed_projects_are_those_built_since_2014_without_a_certificate(station, office_user, town, other_town):
    # given projects of two towns
    completed_2016 = ProjectFactory(town=town, status=ProjectStatus.COMPLETED, completed_on=dt.date(2016, 1, 1))
    operating_without_dates = operating_project(town=town)
    ProjectFactory(
        town=town, status=ProjectStatus.OPERATING, completed_on=dt.date(2013, 12, 31), three_assets_number="SZ-9"
    )
    ProjectFactory(town=town, status=ProjectStatus.CONSTRUCTION)
    confirmed = ProjectFactory(town=town, status=ProjectStatus.COMPLETED, completed_on=dt.date(2018, 1, 1))
    services.property_right_confirm(
        user=station, project=confirmed, certificate_number="C-1", confirmed_on=TODAY, owner="村集体"
    )
    elsewhere = ProjectFactory(town=other_town, status=ProjectStatus.SUSPENDED, completed_on=dt.date(2015, 1, 1))

    # then the town's station sees its own two, the district all three
    assert set(selectors.unconfirmed_projects(station)) == {completed_2016, operating_without_dates}
    assert set(selectors.unconfirmed_projects(office_user)) == {completed_2016, operating_without_dates, elsewhere}
    # and the counts per town say the same
    counts = {row.town: row for row in selectors.unconfirmed_by_town(office_user)}
    assert (counts[town].built, counts[town].unconfirmed) == (3, 2)
    assert (counts[other_town].built, counts[other_town].unconfirmed) == (1, 1)
    assert [row.town for row in selectors.unconfirmed_by_town(station)] == [town]


def test_projects_without_the_three_assets_number(station, town):
    # given a completed project without the number and an operating one with it
    missing = ProjectFactory(town=town, status=ProjectStatus.COMPLETED, completed_on=dt.date(2020, 1, 1))
    operating_project(town=town)
    # then only the first lacks it
    assert list(selectors.projects_without_three_assets(station)) == [missing]
