"""Enterprises, assistance agreements and the blacklist (point 4): the credit code check, who keeps the registry,
agreements and their yearly fulfilment, breaches, and blacklisting with its history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from stdnum.cn import uscc

from organisation.roles import Role
from projects.models import AssistanceAgreement, BlacklistEntry, Enterprise, EnterpriseKind
from projects.permissions import may_change_enterprise
from projects.selectors import enterprises as selectors
from projects.services import enterprises as services
from tests.factories.projects import EnterpriseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
VALID_CODE = "91110000600037341L"


def with_check(body: str) -> str:
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def agreement_for(staff, enterprise, town, **fields) -> AssistanceAgreement:
    values = {
        "signed_on": dt.date(2022, 1, 1),
        "ends_on": dt.date(2024, 12, 31),
        "jobs_committed": 5,
        "income_committed": Decimal("50000"),
        "purchases_committed": Decimal("20000"),
        **fields,
    }
    return services.agreement_create(user=staff, enterprise=enterprise, town=town, **values)


# --- The credit code ---------------------------------------------------------------------------------------------


def test_a_valid_credit_code_is_kept_in_capitals():
    # then a valid credit code is kept in capitals without blanks, and no code stays none
    assert services.credit_code_clean(" 91110000600037341l ") == VALID_CODE
    assert services.credit_code_clean("") == ""


def test_a_village_collective_code_of_the_agriculture_department_is_valid():
    # given a village collective's code registered by the agriculture department (N)
    code = with_check("N2371302MA3C4D5E6")
    # then it is valid
    assert services.credit_code_clean(code) == code


@pytest.mark.english
@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91110000600037341", "has 18 characters; this one has 17"),
        ("91110000600037341A", "The check character should be L, not A"),
        ("9111000060003734IL", "contains I"),
        ("91AB0000600037341L", "Characters 3 to 8"),
    ],
)
def test_a_wrong_credit_code_is_refused_saying_what_is_wrong(code, says):
    # when a wrong code is cleaned
    with pytest.raises(ValidationError) as refused:
        services.credit_code_clean(code)
    # then it is refused, saying what is wrong
    assert says in refused.value.message_dict["credit_code"][0]


# --- The registry --------------------------------------------------------------------------------------------------


def test_town_staff_add_an_enterprise_of_their_town(staff, town):
    # when the town staff add an enterprise of their town
    enterprise = services.enterprise_create(
        user=staff,
        name="兰山区金银花种植专业合作社",
        kind=EnterpriseKind.COOPERATIVE,
        credit_code=VALID_CODE,
        town=town,
    )
    # then it is the town's, with its code, and theirs to change
    assert (enterprise.town, enterprise.credit_code) == (town, VALID_CODE)
    assert may_change_enterprise(staff, enterprise)


def test_town_staff_cannot_add_or_change_another_towns_enterprise(staff, other_town, office_user):
    # then the town staff may not add an enterprise of another town
    with pytest.raises(PermissionDenied):
        services.enterprise_create(user=staff, name="外镇企业", town=other_town)
    # and may not change one the office added there
    theirs = services.enterprise_create(user=office_user, name="外镇企业", town=other_town)
    assert not may_change_enterprise(staff, theirs)
    with pytest.raises(PermissionDenied):
        services.enterprise_update(user=staff, enterprise=theirs, name="改名", kind=EnterpriseKind.ENTERPRISE)


@pytest.mark.parametrize("role", [Role.TOWN_STATION, Role.TOWN_FINANCE, Role.AUDIT])
def test_other_posts_do_not_keep_the_registry(make_user, town, role):
    # given a user of another post
    user = make_user(role, town=None if role == Role.AUDIT else town)
    # then they may not add an enterprise
    with pytest.raises(PermissionDenied):
        services.enterprise_create(user=user, name="某企业", town=town)


def test_a_name_and_a_credit_code_are_registered_once(office_user):
    # given an enterprise with a code
    services.enterprise_create(user=office_user, name="甲公司", credit_code=VALID_CODE)
    # then another of the same name is refused on the name
    with pytest.raises(ValidationError) as refused:
        services.enterprise_create(user=office_user, name="甲公司")
    assert "name" in refused.value.message_dict
    # and another with the same code, in small letters, on the code
    with pytest.raises(ValidationError) as refused:
        services.enterprise_create(user=office_user, name="乙公司", credit_code=VALID_CODE.lower())
    assert "credit_code" in refused.value.message_dict


def test_town_staff_name_the_town(staff):
    # when the town staff add an enterprise without a town
    with pytest.raises(ValidationError) as refused:
        services.enterprise_create(user=staff, name="无镇企业")
    # then the town is asked for
    assert "town" in refused.value.message_dict


# --- The blacklist -------------------------------------------------------------------------------------------------


@pytest.mark.english
def test_a_blacklisted_enterprise_cannot_sign_a_new_agreement(staff, office_user, town):
    # given an enterprise the district put on the blacklist
    enterprise = EnterpriseFactory()
    services.blacklist_add(
        user=office_user,
        enterprise=enterprise,
        reason="Stopped buying from poor households",
        decided_on=dt.date(2024, 5, 6),
    )
    # when the town records a new agreement with it
    with pytest.raises(ValidationError) as refused:
        agreement_for(staff, enterprise, town)
    # then it is refused on the enterprise, saying since when and why
    message = refused.value.message_dict["enterprise"][0]
    assert "is on the blacklist since 2024-05-06 (Stopped buying from poor households)" in message
    assert not AssistanceAgreement.objects.exists()


def test_after_lifting_the_enterprise_may_sign_again(staff, office_user, town):
    # given an enterprise blacklisted and then lifted
    enterprise = EnterpriseFactory()
    entry = services.blacklist_add(
        user=office_user, enterprise=enterprise, reason="违约", decided_on=dt.date(2024, 1, 1)
    )
    services.blacklist_lift(user=office_user, entry=entry, lifted_on=dt.date(2024, 6, 1), reason="已补足收益")
    # then it may sign an agreement again
    assert agreement_for(staff, enterprise, town).enterprise == enterprise


def test_blacklisting_and_lifting_are_kept_with_their_history(office_user):
    # given an enterprise blacklisted, lifted, and blacklisted again
    enterprise = EnterpriseFactory()
    entry = services.blacklist_add(
        user=office_user, enterprise=enterprise, reason="违约", decided_on=dt.date(2024, 1, 1)
    )
    services.blacklist_lift(user=office_user, entry=entry, lifted_on=dt.date(2024, 6, 1), reason="已补足收益")
    again = services.blacklist_add(user=office_user, enterprise=enterprise, reason="再次违约", decided_on=TODAY)

    # then the first entry keeps who lifted it and why, both entries are kept, and the history has the lifting
    entry.refresh_from_db()
    assert (entry.lifted_by, entry.lift_reason) == (office_user, "已补足收益")
    assert list(enterprise.blacklist_entries.order_by("pk")) == [entry, again]
    events = apps.get_model("projects", "BlacklistEntryEvent").objects.filter(pgh_obj_id=entry.pk)
    assert list(events.order_by("pgh_id").values_list("pgh_label", "lifted_on")) == [
        ("insert", None),
        ("update", dt.date(2024, 6, 1)),
    ]


def test_only_the_district_office_blacklists_and_lifts(staff, office_user):
    # given an enterprise
    enterprise = EnterpriseFactory()
    # then the town staff may not blacklist it
    with pytest.raises(PermissionDenied):
        services.blacklist_add(user=staff, enterprise=enterprise, reason="违约", decided_on=TODAY)
    # and may not lift what the office decided
    entry = services.blacklist_add(user=office_user, enterprise=enterprise, reason="违约", decided_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.blacklist_lift(user=staff, entry=entry, lifted_on=TODAY, reason="整改")


def test_an_enterprise_is_on_the_blacklist_once_at_a_time(office_user):
    # given a blacklisted enterprise
    enterprise = EnterpriseFactory()
    services.blacklist_add(user=office_user, enterprise=enterprise, reason="违约", decided_on=TODAY)
    # when it is blacklisted again, that is refused
    with pytest.raises(ValidationError):
        services.blacklist_add(user=office_user, enterprise=enterprise, reason="又违约", decided_on=TODAY)
    # then it has one entry
    assert BlacklistEntry.objects.count() == 1


def test_lifting_needs_a_reason_and_a_date_after_the_decision(office_user):
    # given an entry decided on 1 Jan 2024
    entry = services.blacklist_add(
        user=office_user, enterprise=EnterpriseFactory(), reason="违约", decided_on=dt.date(2024, 1, 1)
    )
    # then lifting it without a reason is refused
    with pytest.raises(ValidationError) as refused:
        services.blacklist_lift(user=office_user, entry=entry, lifted_on=TODAY, reason="")
    assert "reason" in refused.value.message_dict
    # and so is lifting it before the decision
    with pytest.raises(ValidationError) as refused:
        services.blacklist_lift(user=office_user, entry=entry, lifted_on=dt.date(2023, 12, 31), reason="整改")
    assert "lifted_on" in refused.value.message_dict


# --- Agreements and what was done ----------------------------------------------------------------------------------


def test_an_agreement_ends_after_it_is_signed_and_commits_to_something(staff, town):
    # given an enterprise
    enterprise = EnterpriseFactory()
    # then an agreement ending before it is signed is refused
    with pytest.raises(ValidationError) as refused:
        agreement_for(staff, enterprise, town, signed_on=dt.date(2022, 1, 1), ends_on=dt.date(2021, 12, 31))
    assert "ends_on" in refused.value.message_dict
    # and so is one committing to nothing
    with pytest.raises(ValidationError):
        agreement_for(staff, enterprise, town, jobs_committed=0, income_committed=0, purchases_committed=0)


def test_an_agreement_is_for_a_town_of_the_user_and_a_project_of_that_town(staff, town, other_town):
    # given an enterprise
    enterprise = EnterpriseFactory()
    # then the town staff may not sign for another town
    with pytest.raises(PermissionDenied):
        agreement_for(staff, enterprise, other_town)
    # nor name a project of another town
    with pytest.raises(ValidationError) as refused:
        agreement_for(staff, enterprise, town, project=ProjectFactory(town=other_town))
    assert "project" in refused.value.message_dict


def test_a_year_below_a_commitment_is_a_breach_for_the_district_to_decide(staff, office_user, town):
    # given an agreement and its first year fully met
    enterprise = EnterpriseFactory()
    agreement = agreement_for(staff, enterprise, town)
    kept = services.fulfilment_record(
        user=staff,
        agreement=agreement,
        year=2022,
        jobs_provided=5,
        income_paid=Decimal("50000"),
        purchases_made=Decimal("25000"),
    )
    assert not selectors.fulfilment_shortfall(agreement, kept).any
    assert list(selectors.agreements_in_breach(office_user)) == []
    # when the next year falls short on income
    short = services.fulfilment_record(
        user=staff,
        agreement=agreement,
        year=2023,
        jobs_provided=6,
        income_paid=Decimal("30000"),
        purchases_made=Decimal("20000"),
    )
    # then the shortfall is told, and the agreement waits for the district's decision
    assert selectors.fulfilment_shortfall(agreement, short) == selectors.Shortfall(
        jobs=0, income=Decimal("20000"), purchases=Decimal("0")
    )
    assert list(selectors.agreements_in_breach(office_user)) == [agreement]
    # until the enterprise is blacklisted
    services.blacklist_add(user=office_user, enterprise=enterprise, reason="2023年收益未足额支付", decided_on=TODAY)
    assert list(selectors.agreements_in_breach(office_user)) == []


def test_a_year_is_recorded_once_and_within_the_term(staff, town):
    # given an agreement from 2022 to 2024, its first year recorded
    agreement = agreement_for(staff, EnterpriseFactory(), town)
    values = {"jobs_provided": 5, "income_paid": Decimal("50000"), "purchases_made": Decimal("20000")}
    services.fulfilment_record(user=staff, agreement=agreement, year=2022, **values)
    # then recording 2022 again is refused
    with pytest.raises(ValidationError) as refused:
        services.fulfilment_record(user=staff, agreement=agreement, year=2022, **values)
    assert "year" in refused.value.message_dict
    # and so is a year before the term
    with pytest.raises(ValidationError):
        services.fulfilment_record(user=staff, agreement=agreement, year=2021, **values)


def test_another_towns_staff_cannot_record_a_year(make_user, staff, town, other_town):
    # given an agreement of the town
    agreement = agreement_for(staff, EnterpriseFactory(), town)
    # then another town's staff may not record a year of it
    with pytest.raises(PermissionDenied):
        services.fulfilment_record(
            user=make_user(Role.TOWN_STAFF, town=other_town),
            agreement=agreement,
            year=2022,
            jobs_provided=1,
            income_paid=Decimal("0"),
            purchases_made=Decimal("0"),
        )


def test_the_enterprise_list_searches_and_filters(office_user, staff, town):
    # given an enterprise with an agreement, and another blacklisted
    listed = services.enterprise_create(user=office_user, name="兰山金银花合作社", credit_code=VALID_CODE)
    other = EnterpriseFactory(name="义堂镇食品有限公司", kind=EnterpriseKind.ENTERPRISE)
    services.blacklist_add(user=office_user, enterprise=other, reason="违约", decided_on=TODAY)
    agreement_for(staff, listed, town)

    # then the list finds each by name, code and blacklist, with their counts
    assert list(selectors.enterprise_list(staff, query="金银花")) == [listed]
    assert list(selectors.enterprise_list(staff, query=VALID_CODE[:8])) == [listed]
    assert list(selectors.enterprise_list(staff, blacklisted="yes")) == [other]
    rows = {row.name: row for row in selectors.enterprise_list(staff)}
    assert (rows[listed.name].agreement_count, rows[listed.name].blacklisted_on) == (1, None)
    assert rows[other.name].blacklisted_on == TODAY
    assert Enterprise.objects.count() == 2
