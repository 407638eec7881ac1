"""The rules of the rectification ledger's services: who raises, keeps, verifies and looks back; evidence by content;
the close-off's separation of duties, in the service and in the database."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from audits.choices import ItemStatus, LookBackOutcome, Source
from audits.models import AuditsPolicy, Evidence, LookBack, RectificationItem
from audits.services import ledger
from organisation.roles import Role
from tests.factories.audits import (
    PDF_BYTES,
    item_closed,
    item_raised,
    item_requested,
    item_with_evidence,
    office_bytes,
    pdf_upload,
)
from tests.factories.organisation import VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock_today():
    return dt.date(2026, 3, 2)  # a Monday


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


@pytest.fixture
def office(make_user):
    return make_user(Role.DISTRICT_OFFICE)


@pytest.fixture
def audit(make_user):
    return make_user(Role.AUDIT)


# --- Raising ------------------------------------------------------------------------------------------------------


def test_a_raised_item_is_numbered_in_its_year_and_due_on_the_working_day_calendar(clock, office, town):
    # given the district office raising two items on Monday 2 March 2026
    # when it raises them with 5 working days each
    first = item_raised(office, town, source=Source.SUPERVISION_VISIT, days=5)
    second = item_raised(office, town, source=Source.SUPERVISION_VISIT, days=5)

    # then they are numbered one after the other, their clock starts today and they are due the next Monday
    assert (first.number, second.number) == ("ZG2026-0001", "ZG2026-0002")
    assert first.clock_start == dt.date(2026, 3, 2)
    assert first.due_date == dt.date(2026, 3, 9)
    assert first.status == ItemStatus.OPEN and first.raised_by == office


def test_a_town_raises_its_own_self_check_but_no_outside_source_nor_another_towns_item(clock, staff, town, other_town):
    # given a town's staff
    # when they raise a self-check item of their town
    item = item_raised(staff, town, source=Source.SELF_CHECK)

    # then it is raised; an audit's item, or an item of another town, is refused and nothing is written
    assert item.source == Source.SELF_CHECK
    with pytest.raises(PermissionDenied):
        item_raised(staff, town, source=Source.AUDIT)
    with pytest.raises(PermissionDenied):
        item_raised(staff, other_town, source=Source.SELF_CHECK)
    assert RectificationItem.objects.count() == 1


def test_nobody_raises_by_hand_an_item_of_a_system_source(clock, office, town):
    # given the district office
    # when it raises an item whose source is the daily scan's (an overdue transfer)
    # then it is refused
    with pytest.raises(PermissionDenied):
        item_raised(office, town, source=Source.OVERDUE_TRANSFER)


def test_a_raised_item_needs_its_description_and_a_village_of_its_town(clock, office, town, other_village):
    # given the district office
    # when it raises an item with no description, or with a village of another town
    # then each is refused on its field
    with pytest.raises(ValidationError) as empty:
        item_raised(office, town, description="  ")
    with pytest.raises(ValidationError) as elsewhere:
        item_raised(office, town, village=other_village)
    assert "description" in empty.value.message_dict
    assert "village" in elsewhere.value.message_dict


def test_an_item_is_not_changed_once_asked_to_be_closed_off(clock, staff, town):
    # given an item the town asked to be closed off
    item = item_requested(staff, town)

    # when the town corrects its description
    # then it is refused
    with pytest.raises(ValidationError):
        ledger.item_update(
            user=staff,
            item=item,
            category=item.category,
            description="新的描述",
            responsible_unit=item.responsible_unit,
            responsible_person=item.responsible_person,
        )


# --- Measures and progress ----------------------------------------------------------------------------------------


def test_a_village_clerk_writes_progress_only_on_the_measure_assigned_to_them(clock, make_user, staff, town, village):
    # given an item of the village with two measures, one assigned to its clerk
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    item = item_raised(staff, town, village=village)
    mine = ledger.measure_add(
        user=staff, item=item, description="逐户核对", owner_unit="村委会", due_on=clock.ago(-10), owner_user=clerk
    )
    theirs = ledger.measure_add(
        user=staff, item=item, description="更正系统", owner_unit="镇扶贫办", due_on=clock.ago(-10)
    )

    # when the clerk writes progress on both
    note = ledger.progress_note_add(user=clerk, measure=mine, text="已核对30户")

    # then the note on their own measure is kept, the other refused
    assert note.written_by == clerk and mine.notes.count() == 1
    with pytest.raises(PermissionDenied):
        ledger.progress_note_add(user=clerk, measure=theirs, text="已更正")
    assert theirs.notes.count() == 0


def test_a_measures_owner_must_see_the_item(clock, make_user, staff, town):
    # given an item of the town and a clerk of another town
    item = item_raised(staff, town)
    stranger = make_user(Role.VILLAGE_CLERK, village=VillageFactory())

    # when the measure is assigned to that clerk
    # then it is refused on the owner's field
    with pytest.raises(ValidationError) as refused:
        ledger.measure_add(
            user=staff,
            item=item,
            description="逐户核对",
            owner_unit="村委会",
            due_on=clock.ago(-10),
            owner_user=stranger,
        )
    assert "owner_user" in refused.value.message_dict


# --- Evidence -----------------------------------------------------------------------------------------------------


def test_evidence_is_stored_under_media_root_with_its_sha256(clock, staff, town, media_root):
    # given an item of the town
    item = item_raised(staff, town)

    # when the town uploads a PDF
    evidence = ledger.evidence_upload(user=staff, item=item, upload=pdf_upload("整改报告.pdf"))

    # then the file is stored under MEDIA_ROOT by a name of its own, with its type, size and SHA-256
    stored = Path(evidence.file.path)
    assert stored.is_relative_to(media_root) and stored.read_bytes() == PDF_BYTES
    assert stored.name != "整改报告.pdf" and stored.suffix == ".pdf"
    assert evidence.original_name == "整改报告.pdf"
    assert (evidence.content_type, evidence.size) == ("application/pdf", len(PDF_BYTES))
    assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert evidence.pgh_event_model.objects.get(pgh_obj_id=evidence.pk).sha256 == evidence.sha256


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("整改报告.docx", office_bytes("word/")),
        ("台账.xlsx", office_bytes("xl/")),
        ("现场照片.PNG", b"\x89PNG\r\n\x1a\n" + b"\0" * 20),
        ("现场照片.jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 20),
    ],
)
def test_office_documents_and_images_are_recognised_by_their_content(clock, staff, town, name, content):
    # given an item of the town
    item = item_raised(staff, town)

    # when the town uploads the file
    evidence = ledger.evidence_upload(user=staff, item=item, upload=SimpleUploadedFile(name, content))

    # then it is stored
    assert Evidence.objects.filter(pk=evidence.pk, item=item).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("整改报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 100),  # a Windows program renamed .pdf
        ("台账.xlsx", "序号,问题\n1,信息不准\n".encode()),  # a text file named .xlsx
        ("台账.xlsx", office_bytes("word/")),  # a Word document named .xlsx
        ("台账.xlsx", b"PK\x03\x04 not a zip at all"),
        ("照片.png", PDF_BYTES),  # a PDF named .png
        ("说明.txt", PDF_BYTES),
    ],
)
def test_a_file_whose_content_is_not_what_it_says_is_refused(clock, staff, town, media_root, name, content):
    # given an item of the town
    item = item_raised(staff, town)

    # when the town uploads the file
    with pytest.raises(ValidationError) as refused:
        ledger.evidence_upload(user=staff, item=item, upload=SimpleUploadedFile(name, content))

    # then it is refused on the upload's field, and nothing is stored
    assert "upload" in refused.value.message_dict
    assert not item.evidence.exists()
    assert not any(path.is_file() for path in Path(media_root).rglob("*"))


def test_a_file_above_the_size_limit_is_refused(clock, settings, staff, town):
    # given a limit of 1 KB
    settings.AUDITS_EVIDENCE_MAX_BYTES = 1024
    item = item_raised(staff, town)

    # when the town uploads a PDF of 2 KB
    # then it is refused
    with pytest.raises(ValidationError):
        ledger.evidence_upload(user=staff, item=item, upload=SimpleUploadedFile("a.pdf", PDF_BYTES + b"\0" * 2048))


# --- Close-off ----------------------------------------------------------------------------------------------------


def test_a_close_off_needs_evidence_and_a_note_of_what_was_done(clock, staff, town):
    # given an item with no evidence
    item = item_raised(staff, town)

    # when the town asks for its close-off
    with pytest.raises(ValidationError) as no_evidence:
        ledger.close_off_request(user=staff, item=item, note="已整改")

    # then it is refused in Chinese and nothing is saved; with evidence but no note, too
    assert no_evidence.value.messages == ["上传至少一份佐证材料后才能申请销号。"]
    item.refresh_from_db()
    assert (item.status, item.close_requested_by) == (ItemStatus.OPEN, None)
    ledger.evidence_upload(user=staff, item=item, upload=pdf_upload())
    with pytest.raises(ValidationError) as no_note:
        ledger.close_off_request(user=staff, item=item, note=" ")
    assert "note" in no_note.value.message_dict


def test_neither_the_responsible_person_nor_the_requester_may_verify(clock, make_user, town):
    # given an item whose responsible person is one office user, asked to be closed off by another
    responsible = make_user(Role.DISTRICT_OFFICE)
    requester = make_user(Role.DISTRICT_OFFICE)
    item = item_requested(requester, town, responsible_user=responsible)

    # when each of them verifies it
    for user in (responsible, requester):
        with pytest.raises(PermissionDenied) as refused:
            ledger.close_off_verify(user=user, item=item, approve=True)
        # then it is refused, with a message saying why
        assert "另一人" in str(refused.value) or "其他人" in str(refused.value)
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSE_OFF_REQUESTED and item.closed_by is None


def test_a_town_user_may_not_verify_and_the_audit_post_only_its_own_sources(clock, staff, make_user, audit, town):
    # given a self-check item and an audit's item, both asked to be closed off by the town
    self_check = item_requested(staff, town, source=Source.SELF_CHECK)
    office = make_user(Role.DISTRICT_OFFICE)
    audited = item_requested(staff, town, source=Source.SELF_CHECK)
    RectificationItem.objects.filter(pk=audited.pk).update(source=Source.AUDIT)
    audited.refresh_from_db()
    other_staff = make_user(Role.TOWN_STAFF, town=town)

    # when another town staff and the audit post verify the self-check item
    # then both are refused
    with pytest.raises(PermissionDenied):
        ledger.close_off_verify(user=other_staff, item=self_check, approve=True)
    with pytest.raises(PermissionDenied):
        ledger.close_off_verify(user=audit, item=self_check, approve=True)
    # and a town user is refused the audit's item too
    with pytest.raises(PermissionDenied):
        ledger.close_off_verify(user=other_staff, item=audited, approve=True)
    # and the audit post closes off the audit's item, the district office the self-check
    assert ledger.close_off_verify(user=audit, item=audited, approve=True).status == ItemStatus.CLOSED
    assert ledger.close_off_verify(user=office, item=self_check, approve=True).status == ItemStatus.CLOSED


def test_the_database_refuses_a_verifier_who_asked_for_the_close_off(clock, staff, office, town):
    # given an item the town asked to be closed off
    item = item_requested(staff, town)

    # when a write around the service makes the requester its verifier
    # then the database's check refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        RectificationItem.objects.filter(pk=item.pk).update(
            status=ItemStatus.CLOSED, closed_by=staff, closed_on=clock.today
        )


def test_a_close_off_schedules_the_look_back_90_days_later_on_the_calendar(clock, staff, office, town):
    # given an item asked to be closed off on Monday 2 March 2026
    item = item_requested(staff, town)

    # when the district office verifies it that day
    item = ledger.close_off_verify(user=office, item=item, approve=True, note="材料齐全")

    # then it is closed on time, and its look-back is due 90 days later: Sunday 31 May, so Monday 1 June
    assert (item.status, item.closed_by, item.closed_on, item.closed_late) == (
        ItemStatus.CLOSED,
        office,
        dt.date(2026, 3, 2),
        False,
    )
    look_back = LookBack.objects.get(item=item)
    assert (look_back.after_days, look_back.clock_start, look_back.due_date) == (
        90,
        dt.date(2026, 3, 2),
        dt.date(2026, 6, 1),
    )


def test_the_look_back_takes_the_policys_days_and_a_late_close_off_is_marked(clock, staff, office, town):
    # given a policy of 30 days and an item due 5 working days after 2 March, closed on 1 April
    AuditsPolicy.objects.create(look_back_days=30)
    item = item_requested(staff, town, days=5)
    clock.set("2026-04-01")

    # when the district office verifies it
    item = ledger.close_off_verify(user=office, item=item, approve=True)

    # then it is closed late, its look-back due on 1 May's holiday, so the next working day
    assert item.closed_late is True
    look_back = item.look_backs.get()
    assert look_back.after_days == 30 and look_back.due_date == dt.date(2026, 5, 6)


def test_a_returned_close_off_goes_back_to_rectification_with_its_reason(clock, staff, office, town):
    # given an item asked to be closed off
    item = item_requested(staff, town)

    # when the district office returns it without a reason, then with one
    with pytest.raises(ValidationError):
        ledger.close_off_verify(user=office, item=item, approve=False, note="")
    item = ledger.close_off_verify(user=office, item=item, approve=False, note="佐证材料不全")

    # then it is being rectified again, with no look-back
    assert (item.status, item.close_verdict_note) == (ItemStatus.OPEN, "佐证材料不全")
    assert not LookBack.objects.filter(item=item).exists()


# --- Look-back ----------------------------------------------------------------------------------------------------


def test_a_rebound_at_the_look_back_reopens_the_item_with_a_new_clock(clock, staff, office, town):
    # given an item closed on 2 March
    item = item_closed(staff, office, town, days=5)
    look_back = item.look_backs.get()
    clock.set("2026-06-01")

    # when the look-back finds the problem back
    ledger.look_back_record(user=office, look_back=look_back, outcome=LookBackOutcome.REBOUND, note="问题反弹")

    # then the item is reopened, counted, its clock restarted today, and no longer closed
    item.refresh_from_db()
    assert (item.status, item.reopened_count, item.clock_start) == (ItemStatus.OPEN, 1, dt.date(2026, 6, 1))
    assert item.due_date == dt.date(2026, 6, 8)
    assert (item.closed_by, item.closed_on) == (None, None)
    look_back.refresh_from_db()
    assert (look_back.outcome, look_back.done_by, look_back.done_on) == (
        LookBackOutcome.REBOUND,
        office,
        dt.date(2026, 6, 1),
    )
    assert look_back.pgh_event_model.objects.filter(pgh_obj_id=look_back.pk).count() >= 2


def test_a_confirmed_look_back_leaves_the_item_closed_and_is_recorded_once(clock, staff, office, town):
    # given a closed item
    item = item_closed(staff, office, town)
    look_back = item.look_backs.get()

    # when the look-back confirms it, twice
    ledger.look_back_record(user=office, look_back=look_back, outcome=LookBackOutcome.CONFIRMED, note="未反弹")

    # then the item stays closed and the second record is refused
    item.refresh_from_db()
    assert (item.status, item.reopened_count) == (ItemStatus.CLOSED, 0)
    with pytest.raises(ValidationError):
        ledger.look_back_record(user=office, look_back=look_back, outcome=LookBackOutcome.REBOUND, note="再查")


def test_a_town_user_may_not_record_the_look_back(clock, staff, office, town):
    # given a closed item of the town
    look_back = item_closed(staff, office, town).look_backs.get()

    # when the town records its look-back
    # then it is refused
    with pytest.raises(PermissionDenied):
        ledger.look_back_record(user=staff, look_back=look_back, outcome=LookBackOutcome.CONFIRMED, note="未反弹")


def test_evidence_cannot_be_added_to_a_closed_item(clock, staff, office, town):
    # given a closed item
    item = item_closed(staff, office, town)

    # when the town uploads more evidence
    # then it is refused
    with pytest.raises(ValidationError):
        ledger.evidence_upload(user=staff, item=item, upload=pdf_upload())
    assert item_with_evidence(staff, town).evidence.count() == 1
