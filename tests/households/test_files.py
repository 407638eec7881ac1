import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from households.choices import LabourAbility, PovertyCause, Relation, Sex
from households.id_numbers import id_number_mask, id_number_parse
from households.models import Household, IdNumberReveal, Member
from households.services.files import household_save, member_save
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, MemberFactory, valid_id_number
from tests.households.pages import household_page
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db

# A real-format number with a correct check digit (GB 11643 worked example).
GOOD = "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_empty"),
        ("1101051949123100", "id_length"),
        ("1101051949123100AX", "id_characters"),
        ("110105194913310024", "id_birth_date"),  # month 13
        ("110105199902300015", "id_birth_date"),  # 30 February
        ("110105194912310021", "id_check_digit"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(value, code):
    with pytest.raises(ValidationError) as caught:
        id_number_parse(value)
    assert caught.value.code == code


def test_a_good_id_number_tells_birth_date_and_sex_and_lowercase_x_is_stored_upper_case():
    resident = id_number_parse(GOOD.lower())
    assert resident.number == GOOD
    assert resident.birth_date == dt.date(1949, 12, 31)
    assert resident.sex == Sex.FEMALE


def test_the_check_digit_message_names_the_expected_digit():
    with pytest.raises(ValidationError) as caught:
        id_number_parse("110105194912310021")
    assert "X" in caught.value.messages[0]


def test_masking_keeps_first_six_and_last_four():
    assert id_number_mask(GOOD) == "110105********002X"


def member_data(**overrides):
    return {"name": "张三", "id_number": valid_id_number(), "relation": Relation.HEAD,
            "labour_ability": LabourAbility.ORDINARY, **overrides}  # fmt: skip


def test_member_gets_sex_and_birth_date_from_the_id(make_user, village):
    user = make_user(Role.TOWN_STAFF, town=village.town)
    household = HouseholdFactory(village=village)
    member = member_save(user=user, household=household, **member_data(id_number=GOOD.lower()))
    assert (member.id_number, member.sex, member.birth_date) == (GOOD, Sex.FEMALE, dt.date(1949, 12, 31))


def test_a_person_in_another_towns_household_is_refused_without_saying_where(make_user, village, other_village):
    elsewhere = MemberFactory(household__village=other_village)
    user = make_user(Role.TOWN_STAFF, town=village.town)
    with pytest.raises(ValidationError) as caught:
        member_save(
            user=user, household=HouseholdFactory(village=village), **member_data(id_number=elsewhere.id_number)
        )
    message = caught.value.message_dict["id_number"][0]
    assert "elsewhere" in message or "其他" in message
    assert elsewhere.household.file_number not in message
    assert other_village.name not in message


def test_the_district_office_is_told_where_the_person_already_is(office_user, village, other_village):
    elsewhere = MemberFactory(household__village=other_village)
    with pytest.raises(ValidationError) as caught:
        member_save(user=office_user, household=HouseholdFactory(village=village),
                    **member_data(id_number=elsewhere.id_number))  # fmt: skip
    message = caught.value.message_dict["id_number"][0]
    assert elsewhere.household.file_number in message
    assert other_village.name in message


def test_a_second_head_is_refused(make_user, village):
    user = make_user(Role.TOWN_STAFF, town=village.town)
    head = MemberFactory(household__village=village)
    with pytest.raises(ValidationError) as caught:
        member_save(user=user, household=head.household, **member_data())
    assert "relation" in caught.value.message_dict


@pytest.mark.parametrize(
    ("relation", "female", "head_female"),
    [
        (Relation.SON, True, False),  # 之子 with a female ID number
        (Relation.DAUGHTER, False, False),  # 之女 with a male one
        (Relation.GRANDSON, True, True),
        (Relation.DAUGHTER_IN_LAW, False, False),
        (Relation.SPOUSE, False, False),  # a spouse of the head's own sex
        (Relation.SPOUSE, True, True),
    ],
)
def test_a_relation_that_contradicts_the_sex_of_the_id_number_is_refused_on_the_relation(
    make_user, village, relation, female, head_female
):
    # given a household whose head is of the given sex
    user = make_user(Role.TOWN_STAFF, town=village.town)
    head = MemberFactory(household__village=village, female=head_female)
    # when a member is recorded with a relation the ID number's sex contradicts
    with pytest.raises(ValidationError) as caught:
        member_save(
            user=user,
            household=head.household,
            **member_data(relation=relation, id_number=valid_id_number(female=female)),
        )
    # then it is refused on the relation, and nothing is written
    assert list(caught.value.message_dict) == ["relation"]
    message = caught.value.message_dict["relation"][0]
    assert "ID number" in message or "身份证" in message
    assert head.household.members.count() == 1


@pytest.mark.parametrize(
    ("relation", "female", "head_female"),
    [
        (Relation.SON, False, False),
        (Relation.DAUGHTER, True, False),
        (Relation.SPOUSE, True, False),
        (Relation.SPOUSE, False, True),
        (Relation.PARENT, True, False),  # a relation that carries no sex
        (Relation.SIBLING, False, True),
    ],
)
def test_a_relation_that_agrees_with_the_sex_of_the_id_number_is_recorded(
    make_user, village, relation, female, head_female
):
    user = make_user(Role.TOWN_STAFF, town=village.town)
    head = MemberFactory(household__village=village, female=head_female)
    member = member_save(
        user=user, household=head.household, **member_data(relation=relation, id_number=valid_id_number(female=female))
    )
    assert member.relation == relation


def test_household_in_a_village_of_another_town_is_refused(make_user, village, other_village):
    user = make_user(Role.TOWN_STAFF, town=village.town)
    with pytest.raises(ValidationError) as caught:
        household_save(user=user, file_number="F1", village=other_village, main_cause=PovertyCause.ILLNESS,
                       year_identified=2016)  # fmt: skip
    assert "village" in caught.value.message_dict
    assert not Household.objects.filter(file_number="F1").exists()


def test_main_cause_cannot_repeat_among_other_causes(make_user, village):
    user = make_user(Role.TOWN_STAFF, town=village.town)
    with pytest.raises(ValidationError) as caught:
        household_save(user=user, file_number="F1", village=village, main_cause=PovertyCause.ILLNESS,
                       other_causes=[PovertyCause.ILLNESS], year_identified=2016)  # fmt: skip
    assert "other_causes" in caught.value.message_dict


def test_town_staff_creates_a_household_through_the_form_and_errors_are_in_chinese(client, make_user, village):
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    bad = client.post(reverse("households:household_create"), {"file_number": "", "village": village.pk})
    assert bad.status_code == 200
    assert "这个字段是必填项。" in bad.content.decode()
    assert not Household.objects.exists()
    good = client.post(
        reverse("households:household_create"),
        {"file_number": "371302000100001", "village": village.pk, "identification_standard": "national",
         "attribute": "ordinary", "main_cause": "illness", "other_causes": ["disability"], "year_identified": 2016},
    )  # fmt: skip
    household = Household.objects.get(file_number="371302000100001")
    assert good["Location"] == household.get_absolute_url()
    assert household.other_causes == ["disability"]


def test_household_list_is_scoped_searchable_and_paginated(client, make_user, village, other_village):
    HouseholdFactory.create_batch(30, village=village)
    HouseholdFactory(village=other_village, file_number="OTHER-TOWN")
    head = MemberFactory(household__village=village, name="独特姓名")
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    page = client.get(reverse("households:household_list"))
    assert page.context["page_obj"].paginator.count == 31
    assert "OTHER-TOWN" not in page.content.decode()
    found = client.get(reverse("households:household_list"), {"q": "独特姓名"})
    assert list(found.context["object_list"]) == [head.household]
    by_id = client.get(reverse("households:household_list"), {"q": head.id_number.lower()})
    assert list(by_id.context["object_list"]) == [head.household]


def test_id_numbers_are_masked_and_a_reveal_is_logged(client, make_user, village):
    member = MemberFactory(household__village=village)
    user = make_user(Role.TOWN_STAFF, town=village.town)
    client.force_login(user)
    page = household_page(client, member.household_id)
    assert member.id_number not in page
    assert id_number_mask(member.id_number) in page
    revealed = client.post(reverse("households:member_reveal_id", args=[member.pk]))
    assert member.id_number in revealed.content.decode()
    assert IdNumberReveal.objects.filter(user=user, member=member).count() == 1


@pytest.mark.parametrize("role", [Role.TOWN_FINANCE, Role.TOWN_STATION, Role.VILLAGE_CLERK])
def test_roles_without_the_right_cannot_reveal(client, make_user, village, role):
    member = MemberFactory(household__village=village)
    user = make_user(role, village=village) if role == Role.VILLAGE_CLERK else make_user(role, town=village.town)
    client.force_login(user)
    assert client.post(reverse("households:member_reveal_id", args=[member.pk])).status_code == 403
    assert not IdNumberReveal.objects.exists()


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
@pytest.mark.parametrize(
    ("name", "method", "member_url"),
    [
        ("households:household_detail", "get", False),
        ("households:household_update", "get", False),
        ("households:household_update", "post", False),
        ("households:member_create", "get", False),
        ("households:member_create", "post", False),
        ("households:member_update", "post", True),
        ("households:member_reveal_id", "post", True),
    ],
)
def test_another_towns_user_is_refused_on_every_household_url(client, village, role, name, method, member_url):
    member = MemberFactory(household__village=village)
    if name == "households:member_reveal_id":
        args = [member.pk]
    elif member_url:
        args = [member.household.pk, member.pk]
    else:
        args = [member.household.pk]
    assert_other_town_refused(client, reverse(name, args=args), role=role, method=method,
                              data={"name": "改", "file_number": "X"})  # fmt: skip
    assert Member.objects.get(pk=member.pk).name == member.name


def test_reveal_log_is_for_the_district_office_and_auditors_only(client, make_user, village):
    member = MemberFactory(household__village=village)
    office = make_user(Role.DISTRICT_OFFICE)
    IdNumberReveal.objects.create(user=office, member=member, context="/households/1/")
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    assert client.get(reverse("households:reveal_log")).status_code == 403
    client.force_login(make_user(Role.AUDIT))
    assert member.name in client.get(reverse("households:reveal_log")).content.decode()
