"""Education (point 11): students and aid, dropout prevention, left-behind children, care rooms."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from households.choices import SchoolStage
from households.models import CareRoom, EducationAid, LeftBehindChild
from households.selectors.welfare import key_villages_without_care_room, school_age_at_risk, years_before
from households.services.welfare import care_room_record, education_aid_add, left_behind_child_save
from households.views import welfare as welfare_views
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, member_born
from tests.factories.organisation import VillageFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def aged(years: int, *, days: int = 0) -> dt.date:
    """The birth date of someone ``years`` old today, born ``days`` later than exactly that."""
    return years_before(TODAY, years) + dt.timedelta(days=days)


def guardian(**overrides):
    return {
        "guardian_name": "王秀英",
        "guardian_relation": "祖母",
        "guardian_phone": "0539-8123456",
        "parents_working_in": "浙江宁波",
        "contact_card_number": "LS-2018-001",
        "contact_card_issued_on": dt.date(2018, 4, 1),
        **overrides,
    }


# --- Dropout prevention ------------------------------------------------------------------------------------------


def test_members_aged_6_to_15_not_in_school_or_at_risk_are_listed(office_user, village):
    # given
    household = HouseholdFactory(village=village)
    six_today = member_born(household, birth_date=aged(6))
    fifteen_until_tomorrow = member_born(household, birth_date=aged(16, days=1))
    at_risk_in_school = member_born(
        household, birth_date=aged(10), school_stage=SchoolStage.PRIMARY, dropout_risk=True
    )
    member_born(household, birth_date=aged(6, days=1))  # five, turning six tomorrow
    member_born(household, birth_date=aged(16))  # sixteen today
    member_born(household, birth_date=aged(10), school_stage=SchoolStage.PRIMARY)
    # when
    listed = set(school_age_at_risk(user=office_user, today=TODAY))
    # then
    assert listed == {six_today, fifteen_until_tomorrow, at_risk_in_school}


def test_the_dropout_list_is_scoped_and_filtered_by_town(client, make_user, office_user, village, other_village):
    # given
    here = member_born(HouseholdFactory(village=village), birth_date=aged(9))
    there = member_born(HouseholdFactory(village=other_village), birth_date=aged(9))
    url = reverse("households:school_age_at_risk")
    # when
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    own = client.get(url)
    client.force_login(office_user)
    filtered = client.get(url, {"town": other_village.town.pk})
    # then
    assert [member for member, _age in own.context["rows"]] == [here]
    assert [(member, age) for member, age in filtered.context["rows"]] == [(there, 9)]


def test_the_dropout_risk_flag_is_edited_on_its_page(client, make_user, village):
    # given
    child = member_born(HouseholdFactory(village=village), birth_date=aged(12), school_stage=SchoolStage.JUNIOR)
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    url = reverse("households:dropout_risk", args=[child.pk])
    # when
    raised = client.post(url, {"dropout_risk": "on"})
    child.refresh_from_db()
    raised_flag = child.dropout_risk
    cleared = client.post(url, {})
    child.refresh_from_db()
    # then
    assert (raised.status_code, cleared.status_code) == (302, 302)
    assert raised_flag is True and child.dropout_risk is False


# --- Education aid -----------------------------------------------------------------------------------------------


def test_education_aid_is_recorded_for_a_student_and_refused_for_a_member_not_in_school(village, office_user):
    # given
    household = HouseholdFactory(village=village)
    student = member_born(household, birth_date=aged(17), school_stage=SchoolStage.SENIOR)
    adult = member_born(household)
    # when
    education_aid_add(user=office_user, member=student, year=2018, kind="国家助学金", amount=Decimal("2000.00"))
    with pytest.raises(ValidationError) as caught:
        education_aid_add(user=office_user, member=adult, year=2018, kind="国家助学金", amount=Decimal("0"))
    # then
    assert EducationAid.objects.get().member == student
    assert "amount" in caught.value.message_dict and "__all__" in caught.value.message_dict


def test_education_aid_page_records_aid(client, make_user, village):
    # given
    student = member_born(HouseholdFactory(village=village), birth_date=aged(19), school_stage=SchoolStage.HIGHER)
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    # when
    response = client.post(
        reverse("households:education_aid_add", args=[student.pk]),
        {"year": "2018", "kind": "雨露计划", "amount": "3000.00"},
    )
    # then
    assert response.status_code == 302
    assert student.education_aid.get().amount == Decimal("3000.00")


# --- Left-behind children ------------------------------------------------------------------------------------------


def test_a_left_behind_file_is_opened_for_a_child_and_refused_for_someone_aged_16(village, office_user):
    # given
    household = HouseholdFactory(village=village)
    child = member_born(household, birth_date=aged(8))
    sixteen = member_born(household, birth_date=aged(16))
    # when
    left_behind_child_save(user=office_user, member=child, **guardian())
    left_behind_child_save(user=office_user, member=child, **guardian(guardian_phone="13905391234"))
    with pytest.raises(ValidationError):
        left_behind_child_save(user=office_user, member=sixteen, **guardian())
    # then
    assert LeftBehindChild.objects.get().guardian_phone == "13905391234"


def test_a_guardian_phone_with_letters_is_refused(village, office_user):
    child = member_born(HouseholdFactory(village=village), birth_date=aged(8))
    with pytest.raises(ValidationError) as caught:
        left_behind_child_save(user=office_user, member=child, **guardian(guardian_phone="call grandma"))
    assert "guardian_phone" in caught.value.message_dict


def test_left_behind_pages_open_a_file_and_print_its_contact_card(client, make_user, village):
    # given
    child = member_born(HouseholdFactory(village=village), birth_date=aged(7), name="李小明")
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    data = {**guardian(), "contact_card_issued_on": "2018-04-01"}
    # when
    opened = client.post(reverse("households:left_behind_add", args=[child.pk]), data)
    record = LeftBehindChild.objects.get()
    again = client.get(reverse("households:left_behind_add", args=[child.pk]))
    card = client.get(reverse("households:contact_card", args=[record.pk]))
    # then
    assert opened.status_code == 302
    assert again.status_code == 302 and again["Location"] == reverse("households:left_behind_update", args=[record.pk])
    page = card.content.decode()
    assert card.status_code == 200
    assert "李小明" in page and "0539-8123456" in page and "LS-2018-001" in page


# --- Care rooms in key villages ------------------------------------------------------------------------------------


def test_key_villages_without_a_care_room_are_listed(office_user, town):
    # given
    without = VillageFactory(town=town, is_key_village=True)
    with_room = VillageFactory(town=town, is_key_village=True)
    CareRoom.objects.create(village=with_room, name="留守儿童关爱室", opened_on=dt.date(2018, 6, 1))
    VillageFactory(town=town)  # not a key village
    # when
    listed = list(key_villages_without_care_room(user=office_user))
    # then
    assert listed == [without]


def test_a_second_care_room_in_a_village_is_refused(village, office_user):
    # given
    care_room_record(user=office_user, village=village, name="关爱室", opened_on=dt.date(2018, 6, 1))
    # when
    with pytest.raises(ValidationError):
        care_room_record(user=office_user, village=village, name="另一个关爱室", opened_on=dt.date(2018, 7, 1))
    # then
    assert CareRoom.objects.count() == 1


def test_care_room_pages_list_the_towns_key_villages_and_record_a_room(client, make_user, village, other_village):
    # given
    village.is_key_village = True
    village.save()
    other_village.is_key_village = True
    other_village.save()
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    # when
    missing = client.get(reverse("households:care_rooms_missing"))
    recorded = client.post(
        reverse("households:care_room_add", args=[village.pk]),
        {"name": "留守儿童关爱室", "keeper": "张老师", "opened_on": "2018-06-01"},
    )
    after = client.get(reverse("households:care_rooms_missing"))
    # then
    assert [row for row in missing.context["rows"]] == [(village, True)]
    assert recorded.status_code == 302
    assert village.care_room.keeper == "张老师"
    assert after.context["rows"] == []


# --- The household page's education section ---------------------------------------------------------------------


def test_education_section_shows_students_aid_and_flags(rf, make_user, village):
    # given
    village.is_key_village = True
    village.save()
    household = HouseholdFactory(village=village)
    student = member_born(household, birth_date=aged(13), school_stage=SchoolStage.JUNIOR, name="赵小红")
    EducationAid.objects.create(member=student, year=2018, kind="寄宿生生活费补助", amount=Decimal("625.00"))
    member_born(household, birth_date=aged(9), name="赵小军")  # not in school
    user = make_user(Role.TOWN_STAFF, town=village.town)
    section = next(section for section in welfare_views.detail_sections if section.key == "education")
    request = rf.get("/")
    request.user = user
    # when
    html = render_to_string(
        section.template, {"household": household, **section.context(household=household, user=user)}, request
    )
    # then
    assert "赵小红" in html and "寄宿生生活费补助" in html
    assert html.count('data-flagged="1"') == 1  # the nine-year-old out of school
    assert html.count('data-testid="welfare-flag"') == 1  # a key village without a care room
