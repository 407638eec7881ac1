"""The import's history is one sealed bulk event per job (issue 15 item 14), not one event per row written.

The event holds the sha256 of the stored sheet and of the staged rows and lists every household and member written
with its sheet row; verify_history checks the sheet against it and each covered row against the digest it sealed;
the History tab shows each row as the stored sheet holds it; later edits are recorded row by row.
"""

import hashlib
import json

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.template import Context, Template
from django.utils import translation

from history import verify
from history.models import BulkEvent, Seal
from history.selectors import object_history
from history.tracking import FOUND_LABEL
from households.importing import staged_name
from households.models import Household, HouseholdEvent, ImportStatus, MemberEvent
from households.services.imports import import_job_confirm, import_job_write
from tests.factories.households import valid_id_number
from tests.households.test_import_pipeline import checked, staff  # noqa: F401 (a fixture)
from tests.households.test_import_sheets import file_number, sheet_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def imported(staff, town, village, monkeypatch, django_capture_on_commit_callbacks):  # noqa: F811
    """A job of two households, three people, imported; the tasks' bodies called here."""
    monkeypatch.setattr("households.services.imports._enqueue", lambda *args: None)
    first, second = file_number(), file_number()
    wife = valid_id_number(female=True)
    rows = [
        sheet_row(town=town, village=village, file=first, 姓名="王大山"),
        sheet_row(town=town, village=village, file=first, 姓名="李小红", 公民身份号码=wife, 与户主关系="配偶"),
        sheet_row(town=town, village=village, file=second, 姓名="赵四", 联系电话="13805391234"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = checked(staff, town, rows)
        import_job_confirm(user=staff, job=job)
        job = import_job_write(job_id=job.pk)
    assert job.status == ImportStatus.IMPORTED
    return job, Household.objects.get(file_number=first), Household.objects.get(file_number=second), wife


def problems_of(kind: str) -> list[verify.Problem]:
    return [problem for problem in verify.history_check() if problem.kind == kind]


def drift_problems() -> list[verify.Problem]:
    kinds = {verify.ROW_DRIFT, verify.ROW_UNRECORDED, verify.ROW_DELETED_UNRECORDED}
    return [problem for problem in verify.history_check() if problem.kind in kinds]


def test_the_import_writes_one_sealed_bulk_event_and_no_event_per_row(imported):
    job, first, second, _wife = imported

    # then there is no event per row written
    households = [first.pk, second.pk]
    members = list(first.members.values_list("pk", flat=True)) + list(second.members.values_list("pk", flat=True))
    assert not HouseholdEvent.objects.filter(pgh_obj_id__in=households).exists()
    assert not MemberEvent.objects.filter(pgh_obj_id__in=members).exists()

    # but one event for the job, sealed into the chain, listing every row written with its sheet row
    [event] = BulkEvent.objects.filter(job_id=job.pk)
    assert Seal.objects.filter(event_table="history_bulkevent", event_ids__contains=[event.pk]).count() == 1
    covered = event.covers["households_household"]
    assert covered["ids"] == sorted(households)
    assert dict(zip(covered["ids"], covered["rows"], strict=True)) == {first.pk: 2, second.pk: 4}
    assert covered["created"] == [True, True]
    assert sorted(event.covers["households_member"]["ids"]) == sorted(members)
    assert len(event.covers["households_member"]["digests"]) == 3

    # and it holds the digests of the stored sheet, kept, and of the staged rows
    with default_storage.open(job.file.name, "rb") as stored:
        assert event.file_sha256 == hashlib.sha256(stored.read()).hexdigest()
    assert event.staged_sha256 == job.summary["staged_sha256"]
    assert (event.original_name, event.user_id) == (job.original_name, job.uploaded_by_id)
    assert not default_storage.exists(staged_name(job))


def test_verify_history_passes_after_an_import(imported):
    # when
    problems = verify.history_check()

    # then no problem: the imported rows match the rows their bulk event sealed, and the sheet its digest
    assert problems == []


def test_a_changed_stored_sheet_fails_verify_history(imported):
    job, *_rest = imported

    # when someone changes the stored sheet
    path = default_storage.path(job.file.name)
    with open(path, "ab") as stored:
        stored.write(b"\0")

    # then
    [problem] = problems_of(verify.BULK_FILE_ALTERED)
    assert problem.event_id == BulkEvent.objects.get(job_id=job.pk).pk
    assert job.file.name in problem.message

    # and a deleted one too
    default_storage.delete(job.file.name)
    assert [problem.kind for problem in problems_of(verify.BULK_FILE_MISSING)] == [verify.BULK_FILE_MISSING]


def test_the_drift_check_catches_a_later_change_made_with_the_triggers_off(imported):
    _job, first, second, _wife = imported

    # when an imported household is changed with the history triggers off
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE households_household SET phone = '13900000000' WHERE id = %s", [first.pk])

    # then the drift check names it, against the bulk event, and only it
    [problem] = drift_problems()
    assert (problem.kind, problem.object_id, problem.event_table) == (verify.ROW_DRIFT, first.pk, "history_bulkevent")

    # and a deletion with the triggers off too
    [head] = second.members.all()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM households_member WHERE id = %s", [head.pk])
    deleted = [problem for problem in drift_problems() if problem.kind == verify.ROW_DELETED_UNRECORDED]
    assert [problem.object_id for problem in deleted] == [head.pk]


def test_an_edit_after_the_import_is_recorded_row_by_row(imported):
    _job, first, _second, _wife = imported

    # when the household is edited as usual
    imported_phone = first.phone
    first.phone = "13911112222"
    first.save()

    # then it has its own event, after one recording the values the edit found (the bulk event holds digests, not
    # values), and the drift check takes the edit's as the latest
    found, event = HouseholdEvent.objects.filter(pgh_obj_id=first.pk).order_by("pgh_id")
    assert (found.pgh_label, found.phone, found.file_number) == (FOUND_LABEL, imported_phone, first.file_number)
    assert (event.pgh_label, event.phone) == ("update", "13911112222")
    assert drift_problems() == []

    # and a second edit finds what the first recorded: it records no found values again
    first.phone = "13911113333"
    first.save()
    labels = list(HouseholdEvent.objects.filter(pgh_obj_id=first.pk).order_by("pgh_id").values_list("pgh_label"))
    assert labels == [(FOUND_LABEL,), ("update",), ("update",)]


def test_the_history_tab_shows_an_edit_after_the_import_with_the_values_before_it(imported):
    _job, first, _second, wife = imported
    member = first.members.get(id_number=wife)

    # when a member the import wrote is renamed by hand, and the household's phone changed
    member.name = "李晓红"
    member.save()
    before_phone = first.phone
    first.phone = "13911112222"
    first.save()

    # then the household's History tab shows each change with the value the import wrote before it
    history = object_history(obj=first)
    changes = {
        (entry.action, change.label, change.before, change.after)
        for entry in history.entries
        for change in entry.changes
    }
    assert ("update", "name", "李小红", "李晓红") in changes
    assert ("update", "phone", before_phone, "13911112222") in changes
    # and only what changed, as for any edit: the found values are the edit's "before", not an entry of their own
    # (in one test transaction both edits have the same time: their order is not fixed)
    updates = [entry for entry in history.entries if entry.action == "update"]
    edits = {entry.subject: {change.label for change in entry.changes} for entry in updates}
    assert sorted(entry.subject for entry in updates) == ["", "member 李晓红"]
    assert (edits[""], edits["member 李晓红"]) == ({"phone", "updated at"}, {"name"})
    assert FOUND_LABEL not in {entry.action for entry in history.entries}
    assert history.more == 0
    # and a tab cut to one entry counts the rest as entries: the other edit and the three import rows
    assert object_history(obj=first, limit=1).more == 4


def test_the_setting_skips_nothing_outside_the_bulk_event_that_set_it(imported):
    job, first, _second, _wife = imported
    event = BulkEvent.objects.get(job_id=job.pk)

    # when other code sets the setting: to this transaction with an event already written, or another transaction
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        (txid,) = cursor.fetchone()
        for value in (f"{txid}:{event.pk}", f"{txid + 1}:{event.pk + 1000}", "anything"):
            cursor.execute("SELECT set_config('lanshan.bulk_event', %s, true)", [value])
            Household.objects.filter(pk=first.pk).update(phone=f"1390000{len(value):04d}")

    # then every update was recorded row by row
    assert HouseholdEvent.objects.filter(pgh_obj_id=first.pk, pgh_label="update").count() == 3


def test_the_bulk_event_is_append_only(imported):
    job, *_rest = imported
    with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
        BulkEvent.objects.filter(job_id=job.pk).update(file_sha256="0" * 64)


def test_the_history_tab_shows_the_import_line_with_the_rows_values(imported):
    job, first, second, wife = imported

    # when the history tab of a household is drawn
    html = Template("{% load history_tags %}{% history_tab obj %}").render(Context({"obj": second}))

    # then it names the job, the file and the row, with the row's values read from the stored sheet
    assert f"created by import job {job.pk}, file {job.original_name}, row 4" in html
    assert "赵四" in html and "13805391234" in html

    # and a household's members' rows are shown too, ID numbers masked
    html = Template("{% load history_tags %}{% history_tab obj %}").render(Context({"obj": first}))
    assert f"created by import job {job.pk}, file {job.original_name}, row 3" in html
    assert "李小红" in html
    assert wife not in html
    assert wife[:6] in html


def test_the_history_tabs_lookup_uses_an_index_of_the_covered_ids_only(imported):
    _job, first, _second, _wife = imported
    probe = json.dumps({"households_household": {"ids": [first.pk]}})

    with transaction.atomic(), connection.cursor() as cursor:
        # when the lookup the History tab makes is planned with sequential scans ruled out
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT pgh_id FROM history_bulkevent b WHERE history_bulk_ids(b.covers) @> %s", [probe]
        )
        plan = "\n".join(line for (line,) in cursor.fetchall())
        # and the indexed expression is read for the event
        cursor.execute("SELECT history_bulk_ids(covers) FROM history_bulkevent")
        [(indexed,)] = cursor.fetchall()
    indexed = json.loads(indexed)

    # then the index is used
    assert "Bitmap Index Scan on history_bulk_ids" in plan
    # and it holds each table's ids and nothing else: not the rows, flags and digests beside them
    assert {table: sorted(part) for table, part in indexed.items()} == {
        "households_household": ["ids"],
        "households_member": ["ids"],
    }
    assert first.pk in indexed["households_household"]["ids"]


def test_what_the_import_writes_carries_no_index_or_compression_nothing_reads():
    with connection.cursor() as cursor:
        # the household and member tables: the unique constraints, and no second index for LIKE 'prefix%'
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('households_household', 'households_member')"
            " AND indexdef LIKE '%%pattern_ops%%'"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'u'"
            " AND conrelid IN ('households_household'::regclass, 'households_member'::regclass) ORDER BY conname"
        )
        assert [name for (name,) in cursor.fetchall()] == [
            "households_household_file_number_key",
            "households_member_id_number_key",
        ]
        # the bulk event's covers are stored uncompressed
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'history_bulkevent'::regclass AND attname = 'covers'"
        )
        assert cursor.fetchone() == ("e",)


def test_a_person_registered_twice_is_still_refused_by_the_database(imported):
    _job, first, second, wife = imported
    member = first.members.get(id_number=wife)

    # when the same ID number is written to another household with the service's checks bypassed
    with pytest.raises(IntegrityError, match="households_member_id_number_key"), transaction.atomic():
        type(member).objects.filter(pk=second.members.get().pk).update(id_number=member.id_number)
    # and the same file number
    with pytest.raises(IntegrityError, match="households_household_file_number_key"), transaction.atomic():
        Household.objects.filter(pk=second.pk).update(file_number=first.file_number)
