"""The Excel import of an inspection's or audit's list of problems: checked in full, previewed, written all or
nothing, by the district office or the audit post only."""

import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import importing
from audits.choices import Category, ItemStatus, Source, SubjectKind, SupervisionBody
from audits.models import AuditEngagement, LedgerImport, RectificationItem
from audits.services.imports import ledger_import_check, ledger_import_confirm, ledger_import_upload
from households.models import ImportStatus
from organisation.models import Village
from organisation.roles import Role
from tests.factories.audits import (
    ledger_import_checked,
    ledger_row,
    ledger_sheet_upload,
)
from tests.factories.organisation import VillageFactory

pytestmark = pytest.mark.django_db


def errors_by_row(job: LedgerImport) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in job.errors:
        found.setdefault(error["row"], []).append((error["column"], error["message"]))
    return found


def test_a_good_list_is_checked_and_then_written_as_numbered_items(office_user, town, village, other_town):
    # given a list of three problems in two towns, found by a recorded audit
    engagement = AuditEngagement.objects.create(
        title="2018年扶贫资金专项审计",
        body=SupervisionBody.AUDIT_BUREAU,
        subject_kind=SubjectKind.TOWN,
        town=town,
        scope="扶贫资金",
        team="审计组",
        starts_on=timezone.localdate(),
        recorded_by=office_user,
    )
    rows = [
        ledger_row(town, village),
        ledger_row(
            town, None, 问题来源="巡察", 问题类别="形式主义", 问题描述="会议记录雷同", **{"整改时限（工作日）": "10"}
        ),
        ledger_row(other_town, None, 问题描述="台账不全", **{"整改时限（工作日）": 30.0}),
    ]
    # when it is uploaded and checked
    job = ledger_import_checked(office_user, rows, engagement=engagement)
    # then nothing is written yet, and the import is ready
    assert (job.status, job.rows_total, job.error_count, job.errors) == (ImportStatus.CHECKED, 3, 0, [])
    assert len(job.sha256) == 64
    assert not RectificationItem.objects.exists()

    # when the office confirms it
    job = ledger_import_confirm(user=office_user, job=job)

    # then every row is an item, numbered in sheet order, due on the working-day calendar, linked to the audit
    assert (job.status, job.items_created, job.confirmed_by) == (ImportStatus.IMPORTED, 3, office_user)
    items = list(RectificationItem.objects.order_by("sequence"))
    assert [item.sequence for item in items] == [items[0].sequence + n for n in range(3)]
    assert [(item.town, item.village, item.source, item.category) for item in items] == [
        (town, village, Source.AUDIT, Category.FUNDS),
        (town, None, Source.DISCIPLINE_INSPECTION, Category.FORMALISM),
        (other_town, None, Source.AUDIT, Category.FUNDS),
    ]
    assert [item.time_limit_working_days for item in items] == [20, 10, 30]
    assert all(item.due_date and item.due_date > timezone.localdate() for item in items)
    assert {(item.engagement, item.raised_by, item.status) for item in items} == {
        (engagement, office_user, ItemStatus.OPEN)
    }
    assert items[0].source_reference == "兰审报〔2018〕5号"


@pytest.mark.english
def test_one_bad_row_writes_nothing_and_the_preview_lists_it(office_user, town, village):
    # given a list of three rows, the second naming a village the town does not have
    rows = [
        ledger_row(town, village),
        ledger_row(town, None, 村居="不存在村", 问题描述="第二个问题"),
        ledger_row(town, village, 问题描述="第三个问题"),
    ]
    # when it is checked
    job = ledger_import_checked(office_user, rows)
    # then the import is refused with that row and column (E: 村居), and it cannot be confirmed
    assert (job.status, job.error_count) == (ImportStatus.REJECTED, 1)
    assert errors_by_row(job) == {3: [("E", f"{town.name} has no village of this name.")]}
    with pytest.raises(ValidationError):
        ledger_import_confirm(user=office_user, job=job)
    assert not RectificationItem.objects.exists()


@pytest.mark.english
@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"镇街": "火星镇"}, "D", "No town or street of the district has this name."),
        ({"问题来源": "网上传言"}, "B", "Unknown value; write one of:"),
        ({"问题来源": "逾期拨付"}, "B", "Unknown value; write one of:"),
        ({"问题类别": "作风"}, "C", "Unknown value; write one of:"),
        ({"问题描述": "  "}, "F", "问题描述 is empty."),
        ({"责任单位": None}, "G", "责任单位 is empty."),
        ({"整改时限（工作日）": 0}, "I", "Write a whole number of working days from 1 to 250."),
        ({"整改时限（工作日）": 2.5}, "I", "Write a whole number of working days from 1 to 250."),
        ({"整改时限（工作日）": "下月底"}, "I", "Write a whole number of working days from 1 to 250."),
        ({"整改时限（工作日）": 400}, "I", "Write a whole number of working days from 1 to 250."),
    ],
)
def test_each_rule_of_a_row_names_its_column(office_user, town, cells, column, message):
    # given a list whose one row breaks a rule
    rows = [ledger_row(town, **cells)]
    # when it is checked
    job = ledger_import_checked(office_user, rows)
    # then the problem names the row, the column's letter and the reason
    assert job.status == ImportStatus.REJECTED
    [(found_column, found_message)] = errors_by_row(job)[2]
    assert found_column == column
    assert found_message.startswith(message)


@pytest.mark.english
def test_the_same_problem_twice_is_refused(office_user, town):
    # given a list that lists one problem twice
    rows = [ledger_row(town), ledger_row(town, 序号=2)]
    # when it is checked
    job = ledger_import_checked(office_user, rows)
    # then the second row is refused, naming the first
    assert errors_by_row(job) == {3: [("F", "The same problem is in row 2.")]}


@pytest.mark.english
def test_a_responsible_persons_name_is_masked_in_the_preview(office_user, town):
    # given a row whose responsible person is longer than the column allows
    rows = [ledger_row(town, 责任人="欧阳" + "长" * 120)]
    # when it is checked
    job = ledger_import_checked(office_user, rows)
    # then the problem shows the name masked
    [error] = job.errors
    assert (error["column"], error["value"]) == ("H", "欧" + "*" * 121)


@pytest.mark.english
def test_an_unknown_or_repeated_column_is_refused_naming_its_letters(office_user, town):
    # given a list with a column not in the template and 问题描述 twice, under a title row
    headers = [column.header for column in importing.COLUMNS] + ["备注", "问题描述"]
    row = {**ledger_row(town), "备注": "无"}
    upload = ledger_sheet_upload([row], headers=headers, title="兰山区审计反馈问题整改台账")
    job = ledger_import_upload(user=office_user, upload=upload)
    # when it is checked
    job = ledger_import_check(job_id=job.pk)
    # then both are named by their letters, on the header's row, and no row is checked
    assert job.status == ImportStatus.REJECTED
    assert errors_by_row(job) == {
        2: [
            ("K", "Column K (备注) is not a column of the template."),
            ("L", "The column 问题描述 appears twice: columns F and L."),
        ]
    }


@pytest.mark.english
def test_a_missing_column_is_named(office_user, town):
    # given a list without 责任人
    row = ledger_row(town)
    del row["责任人"]
    # when it is checked
    job = ledger_import_checked(office_user, [row])
    # then the missing column is named
    assert [error["message"] for error in job.errors] == ["The sheet has no column 责任人."]


def test_a_file_that_is_no_workbook_is_refused_at_upload(office_user):
    # given a text file named .xlsx
    upload = SimpleUploadedFile("清单.xlsx", b"not a workbook")
    # when it is uploaded, then it is refused on the file field
    with pytest.raises(ValidationError) as refused:
        ledger_import_upload(user=office_user, upload=upload)
    assert "file" in refused.value.message_dict
    assert not LedgerImport.objects.exists()


@pytest.mark.english
def test_the_rows_are_checked_again_when_confirmed(office_user, town, village):
    # given a checked list whose village is then renamed
    job = ledger_import_checked(office_user, [ledger_row(town, village)])
    assert job.status == ImportStatus.CHECKED
    Village.objects.filter(pk=village.pk).update(name="新名村")
    # when it is confirmed
    job = ledger_import_confirm(user=office_user, job=job)
    # then nothing is written and the import lists the problem as it is now
    assert (job.status, job.error_count) == (ImportStatus.REJECTED, 1)
    assert not RectificationItem.objects.exists()


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.VILLAGE_CLERK])
def test_a_town_or_village_user_may_not_import(make_user, town, village, role):
    # given a user of a town or village
    user = make_user(role, village=village) if role == Role.VILLAGE_CLERK else make_user(role, town=town)
    # when they upload a list of their own town's problems, then it is refused
    with pytest.raises(PermissionDenied):
        ledger_import_upload(user=user, upload=ledger_sheet_upload([ledger_row(town)]))
    assert not LedgerImport.objects.exists()


def test_a_town_user_may_not_confirm_nor_see_an_import(make_user, office_user, town, client):
    # given a checked import of the office, and a town user
    job = ledger_import_checked(office_user, [ledger_row(town)])
    staff = make_user(Role.TOWN_STAFF, town=town)
    # when the town user confirms it, then it is refused and nothing is written
    with pytest.raises(PermissionDenied):
        ledger_import_confirm(user=staff, job=job)
    assert not RectificationItem.objects.exists()
    # and the import's pages are closed to them
    client.force_login(staff)
    for name, args in [("audits:import_list", []), ("audits:import_detail", [job.pk])]:
        assert client.get(reverse(name, args=args)).status_code == 403


def test_the_audit_post_imports_too(make_user, town):
    # given the audit post
    auditor = make_user(Role.AUDIT)
    # when it uploads and confirms a list
    job = ledger_import_checked(auditor, [ledger_row(town)])
    job = ledger_import_confirm(user=auditor, job=job)
    # then the item is written, raised by the audit post
    assert RectificationItem.objects.get().raised_by == auditor


@pytest.mark.english
def test_the_pages_upload_preview_and_confirm(office_user, town, village, client, django_capture_on_commit_callbacks):
    # given the office on the import page
    client.force_login(office_user)
    page = client.get(reverse("audits:import_list"))
    assert page.status_code == 200
    template = client.get(reverse("audits:import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    # when it uploads a list (the check is queued on commit; run here)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("audits:import_list"), {"file": ledger_sheet_upload([ledger_row(town, village)])}
        )
    assert len(queued) == 1
    job = LedgerImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audits:import_detail", args=[job.pk])
    assert "import-progress" in client.get(response["Location"]).content.decode()
    ledger_import_check(job_id=job.pk)
    # then the preview offers to import it
    preview = client.get(reverse("audits:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-confirm"' in preview
    # when it confirms
    client.post(reverse("audits:import_confirm", args=[job.pk]))
    # then the item is written and the page says so
    assert RectificationItem.objects.filter(town=town, village=village).count() == 1
    done = client.get(reverse("audits:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-done"' in done


def test_the_template_is_a_list_the_check_accepts_once_its_town_exists(office_user, town):
    # given the template, its example row naming 汪沟镇 and 王家庄村
    VillageFactory(town=town, name="王家庄村")
    upload = SimpleUploadedFile("模板.xlsx", importing.template_workbook())
    # when it is uploaded as it is
    job = ledger_import_upload(user=office_user, upload=upload)
    job = ledger_import_check(job_id=job.pk)
    # then its example row passes the check
    assert (job.status, job.rows_total, job.errors) == (ImportStatus.CHECKED, 1, [])


def wait_for(job: LedgerImport, *statuses: str, timeout: float = 60) -> LedgerImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import {job.pk} is still {job.status}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_an_uploaded_list(private_queue, settings, worker, make_user, town):
    # given the office and a list with one good and one bad row, the import's tasks on this test's queue
    settings.AUDITS_IMPORT_QUEUE = private_queue
    office = make_user(Role.DISTRICT_OFFICE)
    rows = [ledger_row(town), ledger_row(town, 镇街="火星镇", 问题描述="另一个问题")]
    with worker():
        # when it is uploaded, the check runs on the worker
        job = ledger_import_upload(user=office, upload=ledger_sheet_upload(rows), language="en")
        job = wait_for(job, ImportStatus.CHECKED, ImportStatus.REJECTED, ImportStatus.FAILED)
    # then the bad row is listed and nothing is written
    assert (job.status, job.rows_total, job.error_count, job.failure) == (ImportStatus.REJECTED, 2, 1, "")
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "D"
    assert not RectificationItem.objects.exists()
