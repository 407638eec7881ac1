"""The household import through its services: the check, its row-level messages, and the all-or-nothing write.

The tasks' bodies are called directly here (their Celery run is in test_import_worker.py). Jobs are
made in English so the messages read as written in the code, whatever the Chinese catalogue says.
"""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from stdnum.cn import ric

from history.models import BulkEvent, Seal
from households.id_numbers import id_number_parse
from households.importing import staged_name
from households.models import Household, ImportStatus, Member
from households.services.imports import import_job_check, import_job_confirm, import_job_create, import_job_write
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, MemberFactory, valid_id_number
from tests.factories.organisation import VillageFactory
from tests.households.test_import_sheets import HEADERS, file_number, sheet_row, sheet_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def checked(user, town, rows, **kwargs):
    job = import_job_create(user=user, town=town, upload=sheet_upload(rows, **kwargs), language="en")
    return import_job_check(job_id=job.pk)


def problems(job) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.message) for error in job.row_errors.all()]


def test_a_valid_sheet_is_checked_then_written_with_sex_and_birth_date_from_the_id(staff, town, village):
    # given a household of two
    number = file_number()
    head_id, child_id = valid_id_number(), valid_id_number(female=True)
    rows = [
        sheet_row(town=town, village=village, file=number, 姓名="王大山", 公民身份号码=head_id),
        sheet_row(town=town, village=village, file=number, 姓名="王小花", 公民身份号码=child_id, 与户主关系="之女"),
    ]

    # when it is checked
    job = checked(staff, town, rows)

    # then nothing is written yet and the summary says what will be
    assert (job.status, job.error_count, job.rows_total, job.rows_done) == (ImportStatus.CHECKED, 0, 2, 2)
    assert job.summary["households_new"] == 1 and job.summary["members_new"] == 2
    assert not Household.objects.filter(file_number=number).exists()

    # when it is confirmed and written
    import_job_confirm(user=staff, job=job)
    job = import_job_write(job_id=job.pk)

    # then
    assert job.status == ImportStatus.IMPORTED
    household = Household.objects.get(file_number=number)
    assert household.village == village
    assert (household.main_cause, household.other_causes, household.year_identified) == ("illness", ["no_funds"], 2015)
    daughter = household.members.get(id_number=child_id)
    assert (daughter.relation, daughter.sex, daughter.birth_date) == (
        "daughter",
        "female",
        id_number_parse(child_id).birth_date,
    )
    assert household.members.get(relation="head").name == "王大山"


def test_one_bad_row_rejects_the_whole_file_and_it_cannot_be_confirmed(staff, town, village):
    # given two good households and one row with a wrong check digit
    good = [sheet_row(town=town, village=village, file=file_number()) for _ in range(2)]
    bad_id = valid_id_number()
    bad_id = bad_id[:17] + ("0" if bad_id[17] != "0" else "1")
    bad = sheet_row(town=town, village=village, file=file_number(), 公民身份号码=bad_id)
    households_before, seals_before = Household.objects.count(), Seal.objects.count()

    # when
    job = checked(staff, town, [*good, bad])

    # then the file is rejected, with the row and column named
    assert job.status == ImportStatus.REJECTED
    assert job.error_count == 1
    [(row, column, message)] = problems(job)
    assert (row, column) == (4, "公民身份号码")
    assert "check digit" in message
    # and it cannot be confirmed: nothing at all was written
    with pytest.raises(ValidationError):
        import_job_confirm(user=staff, job=job)
    assert import_job_write(job_id=job.pk).status == ImportStatus.REJECTED
    assert (Household.objects.count(), Seal.objects.count()) == (households_before, seals_before)


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"公民身份号码": "371302197002300011"}, "公民身份号码", "not a real date"),
        ({"公民身份号码": "371302230001010011"}, "公民身份号码", "impossible"),
        ({"村（社区）": "不存在村"}, "村（社区）", "has no village or community of this name"),
        ({"健康状况": "很好"}, "健康状况", "“很好” is not an allowed value"),
        ({"其他致贫原因": "因病"}, "其他致贫原因", "cannot be repeated"),
        ({"识别年度": "去年"}, "识别年度", "Write the year as a number"),
        ({"姓名": ""}, "姓名", "This cell is required."),
        ({"镇（街道）": "方城镇"}, "镇（街道）", "names another town"),
    ],
)
def test_each_problem_is_told_on_its_row_and_column(staff, town, village, cells, column, words):
    job = checked(staff, town, [sheet_row(town=town, village=village, file=file_number(), **cells)])

    assert job.status == ImportStatus.REJECTED
    [(row, error_column, message)] = problems(job)
    assert (row, error_column) == (2, column)
    assert words in message


def test_a_lowercase_x_is_accepted_and_stored_upper_case(staff, town, village):
    # given an ID number whose check character is X, written in lower case
    number = next(
        f"37130219800101{order:03d}X"
        for order in range(1000)
        if ric.calc_check_digit(f"37130219800101{order:03d}0") == "X"
    )
    job = checked(
        staff, town, [sheet_row(town=town, village=village, file=file_number(), 公民身份号码=number.lower())]
    )
    assert job.status == ImportStatus.CHECKED

    import_job_confirm(user=staff, job=job)
    import_job_write(job_id=job.pk)

    assert Member.objects.filter(id_number=number).exists()


def test_a_person_twice_in_the_file_is_an_error_on_the_second_row(staff, town, village):
    person = valid_id_number()
    rows = [
        sheet_row(town=town, village=village, file=file_number(), 公民身份号码=person),
        sheet_row(town=town, village=village, file=file_number(), 公民身份号码=person),
    ]

    job = checked(staff, town, rows)

    assert problems(job) == [(3, "公民身份号码", "This person is also on row 2 of the sheet.")]


def test_a_person_registered_in_another_town_is_only_said_to_be_registered_elsewhere(
    staff, town, village, other_village
):
    # given a person in a household of another town
    elsewhere = MemberFactory(household=HouseholdFactory(village=other_village, file_number="37130200000099"))

    # when a town user imports them
    job = checked(
        staff, town, [sheet_row(town=town, village=village, file=file_number(), 公民身份号码=elsewhere.id_number)]
    )

    # then the message names no place
    [(row, column, message)] = problems(job)
    assert (row, column) == (2, "公民身份号码")
    assert message == "This person is already registered in a household elsewhere in the district."
    assert "37130200000099" not in message and other_village.name not in message


def test_the_district_office_is_told_where_the_person_is(office_user, town, village, other_village):
    elsewhere = MemberFactory(household=HouseholdFactory(village=other_village, file_number="37130200000098"))

    job = checked(
        office_user,
        town,
        [sheet_row(town=town, village=village, file=file_number(), 公民身份号码=elsewhere.id_number)],
    )

    [(_row, _column, message)] = problems(job)
    assert "37130200000098" in message and other_village.name in message


def test_a_file_number_of_another_town_is_refused(staff, town, village, other_village):
    HouseholdFactory(village=other_village, file_number="37130200000097")

    job = checked(staff, town, [sheet_row(town=town, village=village, file="37130200000097")])

    assert problems(job) == [(2, "户编号", "This file number belongs to a household of another town.")]


def test_rows_of_one_household_must_agree_and_have_one_head(staff, town, village):
    number, other, wife = file_number(), file_number(), valid_id_number(female=True)
    second_village = VillageFactory(town=town)
    rows = [
        sheet_row(town=town, village=village, file=number),
        sheet_row(town=town, village=second_village, file=number, 公民身份号码=wife, 与户主关系="配偶"),
        sheet_row(town=town, village=village, file=other, 与户主关系="之子"),
    ]

    job = checked(staff, town, rows)

    assert problems(job) == [
        (3, "村（社区）", f"Household {number} says otherwise on row 2: all rows of a household must agree."),
        (4, "与户主关系", f"Household {other} has no head of household (户主) in the sheet."),
    ]


def test_a_missing_required_column_rejects_the_file_naming_it(staff, town, village):
    headers = [header for header in HEADERS if header != "公民身份号码"]

    job = checked(staff, town, [sheet_row(town=town, village=village, file=file_number())], headers=headers)

    assert job.status == ImportStatus.REJECTED
    assert problems(job) == [(1, "公民身份号码", "This required column is missing from the sheet.")]
    assert "公民身份号码" in job.failure


def test_a_file_that_is_not_xlsx_is_refused_at_upload(staff, town):
    with pytest.raises(ValidationError):
        import_job_create(user=staff, town=town, upload=SimpleUploadedFile("户.xlsx", b"name,id\n"), language="en")
    with pytest.raises(ValidationError):
        import_job_create(user=staff, town=town, upload=SimpleUploadedFile("户.csv", b"PK\x03\x04"), language="en")


def test_existing_people_are_matched_by_id_number_and_updated(staff, town, village):
    # given a household of this town with its head
    household = HouseholdFactory(village=village, file_number="37130200000096")
    head = MemberFactory(household=household, name="旧名字", relation="head")
    spouse_id = valid_id_number(female=True)

    # when a sheet names the same household and person (a new name) and adds a spouse
    rows = [
        sheet_row(town=town, village=village, file="37130200000096", 姓名="新名字", 公民身份号码=head.id_number),
        sheet_row(town=town, village=village, file="37130200000096", 公民身份号码=spouse_id, 与户主关系="配偶"),
    ]
    job = checked(staff, town, rows)
    counts = {key: job.summary[key] for key in ("households_updated", "members_updated", "members_new")}
    assert counts == {"households_updated": 1, "members_updated": 1, "members_new": 1}
    import_job_confirm(user=staff, job=job)
    job = import_job_write(job_id=job.pk)

    # then the person is updated in place, not duplicated
    head.refresh_from_db()
    assert (head.pk, head.name, head.household_id) == (head.pk, "新名字", household.pk)
    assert household.members.count() == 2
    assert job.summary["members_changed"] == 1 and job.summary["members_created"] == 1


def test_a_head_not_in_the_sheet_is_an_error(staff, town, village):
    household = HouseholdFactory(village=village, file_number="37130200000095")
    MemberFactory(household=household, name="原户主", relation="head")

    job = checked(staff, town, [sheet_row(town=town, village=village, file="37130200000095")])

    [(row, column, message)] = problems(job)
    assert (row, column) == (2, "与户主关系")
    assert "already has a head of household, 原户主" in message


def test_every_imported_row_has_history_naming_the_job(staff, town, village):
    number, wife = file_number(), valid_id_number(female=True)
    rows = [
        sheet_row(town=town, village=village, file=number),
        sheet_row(town=town, village=village, file=number, 公民身份号码=wife, 与户主关系="配偶"),
    ]
    job = checked(staff, town, rows)
    import_job_confirm(user=staff, job=job)
    import_job_write(job_id=job.pk)

    # one bulk event for the job (issue 15 item 14) lists the household and both members, with who confirmed it
    household = Household.objects.get(file_number=number)
    [event] = BulkEvent.objects.filter(kind="household_import", job_id=job.pk)
    assert event.user_id == staff.pk
    assert event.covers["households_household"]["ids"] == [household.pk]
    assert sorted(event.covers["households_member"]["ids"]) == sorted(household.members.values_list("pk", flat=True))


def test_a_change_since_the_check_makes_the_write_write_nothing_and_lists_the_problem(
    staff, town, village, other_village
):
    # given a checked sheet
    person = valid_id_number()
    number = file_number()
    rows = [
        sheet_row(town=town, village=village, file=file_number()),
        sheet_row(town=town, village=village, file=number, 公民身份号码=person),
    ]
    job = checked(staff, town, rows)
    import_job_confirm(user=staff, job=job)
    # when another town registers one of its people before the write
    MemberFactory(household=HouseholdFactory(village=other_village), id_number=person)
    households_before = Household.objects.count()
    job = import_job_write(job_id=job.pk)

    # then nothing is written and the job lists the problem as it is now
    assert job.status == ImportStatus.REJECTED
    assert Household.objects.count() == households_before
    assert [(row, column) for row, column, _message in problems(job)] == [(3, "公民身份号码")]


def test_the_staged_rows_are_not_kept_once_imported_but_the_sheet_is(
    staff, town, village, monkeypatch, django_capture_on_commit_callbacks
):
    # given no broker: the tasks' bodies are called here
    monkeypatch.setattr("households.services.imports._enqueue", lambda *args: None)
    with django_capture_on_commit_callbacks(execute=True):
        job = checked(staff, town, [sheet_row(town=town, village=village, file=file_number())])
        storage = job.file.storage
        assert storage.exists(job.file.name) and storage.exists(staged_name(job))

        # when it is imported
        import_job_confirm(user=staff, job=job)
        import_job_write(job_id=job.pk)

    # then the staged rows are gone; the sheet stays, unchanged, as the source its history event seals
    assert storage.exists(job.file.name)
    assert not storage.exists(staged_name(job))


def test_a_title_row_above_the_header_is_skipped(staff, town, village):
    # given a sheet as townships keep them: a title, an empty row, then the header
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["兰山区汪沟镇建档立卡贫困户花名册"])
    sheet.append([])
    sheet.append(HEADERS)
    row = sheet_row(town=town, village=village, file=file_number())
    sheet.append([row[header] for header in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("花名册.xlsx", buffer.getvalue())

    # when
    job = import_job_check(job_id=import_job_create(user=staff, town=town, upload=upload, language="en").pk)

    # then the row below the header is read
    assert (job.status, job.rows_total) == (ImportStatus.CHECKED, 1)


def test_a_relation_that_contradicts_the_sex_of_the_id_number_is_a_row_error(staff, town, village):
    # given a son with a female ID number, a daughter with a male one, and a spouse of the head's sex
    number, man, woman = file_number(), valid_id_number, lambda: valid_id_number(female=True)
    rows = [
        sheet_row(town=town, village=village, file=number),
        sheet_row(town=town, village=village, file=number, 公民身份号码=woman(), 与户主关系="之子"),
        sheet_row(town=town, village=village, file=number, 公民身份号码=man(), 与户主关系="之女"),
        sheet_row(town=town, village=village, file=number, 公民身份号码=man(), 与户主关系="配偶"),
        sheet_row(town=town, village=village, file=number, 公民身份号码=woman(), 与户主关系="之女"),
    ]
    # when it is checked
    job = checked(staff, town, rows)
    # then each contradiction is a row error on the relation, and the file cannot be confirmed
    assert problems(job) == [
        (3, "与户主关系", "The relation to the head “Son” is for a Male member, but the ID number says Female."),
        (4, "与户主关系", "The relation to the head “Daughter” is for a Female member, but the ID number says Male."),
        (5, "与户主关系", "The relation to the head “Spouse” is for a Female member, but the ID number says Male."),
    ]
    assert job.status != ImportStatus.CHECKED
