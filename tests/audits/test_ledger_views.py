"""The ledger's pages: the list and its filters in a constant number of queries, an item and its steps, the evidence
download, the Excel export, the scorecards; another town's user refused everywhere."""

import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audits.choices import ItemStatus, LookBackOutcome, Source
from audits.models import Evidence, LookBack, RectificationItem
from audits.services import ledger
from organisation.export_services import export_job_run
from organisation.models import ExportJob
from organisation.roles import Role
from tests.factories.audits import PDF_BYTES, item_closed, item_raised, item_requested, item_with_evidence
from tests.factories.organisation import TownFactory
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock_today():
    return dt.date(2026, 3, 2)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


@pytest.fixture
def office(make_user):
    return make_user(Role.DISTRICT_OFFICE)


def ledger_exported(client, **params):
    """The ledger as the list's export button asks for it (a job of the export kit), run, and its sheet."""
    response = client.post(reverse("organisation:export_ask", args=["audits.ledger"]) + "?" + urlencode(params))
    assert response.status_code == 302
    job = export_job_run(job_id=ExportJob.objects.latest("pk").pk)
    assert job.status == "done", job.failure
    with job.file.open("rb") as stream:
        return load_workbook(io.BytesIO(stream.read())).active


def list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_ledger_list_shows_the_standard_columns_in_a_constant_number_of_queries(clock, client, staff, town):
    # given an item of the town with a measure and a progress note
    item = item_raised(staff, town)
    measure = ledger.measure_add(
        user=staff, item=item, description="逐户核对", owner_unit="村委会", due_on=clock.today
    )
    ledger.progress_note_add(user=staff, measure=measure, text="已核对30户")
    client.force_login(staff)
    url = reverse("audits:item_list")
    client.get(url)  # the first request of a session reads what later ones find cached
    one = list_queries(client, url)

    # when ten more items are in the ledger
    for _ in range(10):
        extra = item_raised(staff, town)
        ledger.measure_add(user=staff, item=extra, description="补齐档案", owner_unit="镇", due_on=clock.today)

    # then the page costs the same queries, and shows the item's measure and progress
    assert list_queries(client, url) == one
    page = client.get(url).content.decode()
    for text in (
        "序号",
        "问题来源",
        "整改措施",
        "责任单位",
        "整改时限",
        "整改进展",
        "是否销号",
        "逐户核对",
        "已核对30户",
    ):
        assert text in page


def test_the_ledger_filters_by_source_status_and_overdue_and_searches(clock, client, staff, office, town):
    # given a self-check item overdue and a district assessment's item closed
    late = item_raised(staff, town, description="档案缺失", days=1)
    item_closed(staff, office, town, source=Source.SELF_CHECK, description="信息不准")
    clock.set("2026-03-10")
    client.force_login(staff)

    # when the list is filtered
    def numbers(**query):
        response = client.get(reverse("audits:item_list"), query)
        return [item.number for item in response.context["object_list"]]

    # then each filter narrows it
    assert numbers(overdue="yes") == [late.number]
    assert numbers(status=ItemStatus.CLOSED, q="信息") != [] and numbers(q="档案") == [late.number]
    assert numbers(q=late.number) == [late.number]
    assert numbers(source=Source.AUDIT) == []


def test_a_town_user_raises_a_self_check_item_on_the_page(clock, client, staff, town):
    # given the town's staff on the raise page
    client.force_login(staff)
    url = reverse("audits:item_raise")
    assert client.get(url).status_code == 200

    # when they fill it in
    response = client.post(
        url,
        {
            "source": Source.SELF_CHECK,
            "town": town.pk,
            "category": "information",
            "description": "贫困户信息录入不准确",
            "responsible_unit": "镇政府",
            "responsible_person": "王镇长",
            "time_limit_working_days": 20,
        },
    )

    # then the item is raised and its page shown
    item = RectificationItem.objects.get()
    assert response.status_code == 302 and response.url == item.get_absolute_url()
    assert client.get(response.url).status_code == 200


def test_a_close_off_without_evidence_is_refused_on_the_form(clock, client, staff, town):
    # given an item with no evidence
    item = item_raised(staff, town)
    client.force_login(staff)

    # when the town asks for its close-off
    response = client.post(reverse("audits:close_off_request", args=[item.pk]), {"note": "已整改"})

    # then the form says why, and nothing is saved
    assert response.status_code == 200
    assert "上传至少一份佐证材料后才能申请销号。" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_the_whole_cycle_on_the_pages(clock, client, staff, office, town):
    # given an item of the town
    item = item_raised(staff, town)
    client.force_login(staff)

    # when the town uploads evidence and asks for the close-off, and the office verifies it
    upload = SimpleUploadedFile("整改报告.pdf", PDF_BYTES)
    assert client.post(reverse("audits:evidence_upload", args=[item.pk]), {"upload": upload}).status_code == 302
    assert client.post(reverse("audits:close_off_request", args=[item.pk]), {"note": "已更正"}).status_code == 302
    assert client.get(reverse("audits:close_off_verify", args=[item.pk])).status_code == 403
    client.force_login(office)
    detail = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="close-off-verify"' in detail
    verify = client.post(reverse("audits:close_off_verify", args=[item.pk]), {"decision": "approve", "note": "齐全"})
    assert verify.status_code == 302
    clock.set("2026-06-01")
    look_back = client.post(
        reverse("audits:look_back_record", args=[item.pk]), {"outcome": LookBackOutcome.REBOUND, "note": "问题反弹"}
    )

    # then the item was closed off, and the look-back reopened it
    assert look_back.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.reopened_count) == (ItemStatus.OPEN, 1)
    assert LookBack.objects.get(item=item).outcome == LookBackOutcome.REBOUND


def test_a_wrong_file_is_refused_on_the_upload_form(clock, client, staff, town):
    # given an item of the town
    item = item_raised(staff, town)
    client.force_login(staff)

    # when a program renamed .pdf is uploaded
    upload = SimpleUploadedFile("整改报告.pdf", b"MZ\x90\x00" + b"\0" * 64)
    response = client.post(reverse("audits:evidence_upload", args=[item.pk]), {"upload": upload})

    # then the form refuses it
    assert response.status_code == 200 and not Evidence.objects.exists()


def test_the_evidence_download_is_an_attachment_never_cached(clock, client, staff, town):
    # given an item with a PDF
    item = item_with_evidence(staff, town)
    evidence = item.evidence.get()
    client.force_login(staff)

    # when the town downloads it
    response = client.get(reverse("audits:evidence_download", args=[evidence.pk]))

    # then the file comes as an attachment under its name, not to be cached
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/pdf"


def test_the_evidence_download_checks_scope_and_role(clock, client, make_user, staff, town):
    # given an item of the town with a PDF
    evidence = item_with_evidence(staff, town).evidence.get()
    url = reverse("audits:evidence_download", args=[evidence.pk])

    # when another town's staff, or the town's finance office, asks for it
    # then it is refused
    assert_other_town_refused(client, url, role=Role.TOWN_STAFF)
    client.force_login(make_user(Role.TOWN_FINANCE, town=town))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("item_detail", "get", None),
        ("item_update", "get", None),
        ("item_update", "post", {"category": "file", "description": "x", "responsible_unit": "x",
                                 "responsible_person": "x"}),
        ("measure_add", "post", {"description": "x", "owner_unit": "x", "due_on": "2026-03-20"}),
        ("evidence_upload", "get", None),
        ("close_off_request", "post", {"note": "x"}),
    ],
)  # fmt: skip
def test_another_towns_user_is_refused_on_an_items_pages(clock, client, staff, town, name, method, data):
    # given an item of the town
    item = item_raised(staff, town)

    # when a user of another town opens or posts to its pages
    # then it is refused, and nothing is written
    assert_other_town_refused(client, reverse(f"audits:{name}", args=[item.pk]), role=Role.TOWN_STAFF, method=method,
                              data=data)  # fmt: skip


def test_another_towns_user_is_refused_on_a_measures_pages_and_a_requested_items_verify(
    clock, client, staff, office, town
):
    # given a requested item of the town with a measure
    item = item_requested(staff, town)
    measure = ledger.measure_add(user=office, item=item, description="x", owner_unit="x", due_on=clock.today)

    # when users of another town post to its pages
    # then each is refused
    assert_other_town_refused(
        client, reverse("audits:progress_note_add", args=[measure.pk]), role=Role.VILLAGE_CLERK, method="post",
        data={"text": "x"},
    )  # fmt: skip
    assert_other_town_refused(
        client, reverse("audits:measure_done", args=[measure.pk]), role=Role.TOWN_STAFF, method="post",
        data={"done_on": "2026-03-02"},
    )  # fmt: skip
    assert_other_town_refused(
        client, reverse("audits:close_off_verify", args=[item.pk]), role=Role.TOWN_STAFF, method="post",
        data={"decision": "approve", "note": ""},
    )  # fmt: skip


def test_another_towns_user_does_not_see_the_item_in_the_list_the_export_or_the_scorecards(
    clock, client, make_user, staff, town
):
    # given an item of the town
    item = item_raised(staff, town)

    # when another town's staff opens the list, the export and the scorecards
    client.force_login(make_user(Role.TOWN_STAFF, town=TownFactory()))
    listed = client.get(reverse("audits:item_list")).context["object_list"]
    exported = ledger_exported(client)
    cards = client.get(reverse("audits:scorecards")).context["cards"]

    # then the item is in none of them
    assert item not in listed
    assert exported.max_row == 3
    assert [card.name for card in cards] != [town.name] and all(card.total == 0 for card in cards)


def test_the_export_is_the_standard_ledger_with_text_kept_as_text(clock, client, staff, town):
    # given an item whose description looks like a formula, with two measures and a progress note
    item = item_raised(staff, town, description='=HYPERLINK("http://example.com","点击")')
    first = ledger.measure_add(user=staff, item=item, description="逐户核对", owner_unit="村", due_on=clock.today)
    ledger.measure_add(user=staff, item=item, description="更正系统", owner_unit="镇", due_on=clock.ago(-5))
    ledger.progress_note_add(user=staff, measure=first, text="已核对30户")
    client.force_login(staff)

    # when the ledger is exported
    sheet = ledger_exported(client, source=Source.SELF_CHECK)

    # then it has the title, the header, and the description as a text cell
    assert sheet["A1"].value == "兰山区脱贫攻坚问题整改台账"
    header = [cell.value for cell in sheet[3]]
    assert header[:3] == ["序号", "编号", "问题来源"] and "是否销号" in header and "整改时限" in header
    description = sheet.cell(row=4, column=header.index("问题描述") + 1)
    assert description.value == '=HYPERLINK("http://example.com","点击")' and description.data_type == "s"
    assert sheet.cell(row=4, column=header.index("是否销号") + 1).value == "否"
    assert sheet.cell(row=4, column=header.index("整改措施") + 1).value == "逐户核对\n更正系统"
    assert sheet.cell(row=4, column=header.index("整改进展") + 1).value == "已核对30户"
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"


def test_the_scorecards_count_each_town_and_the_district(clock, client, staff, office, town, other_town):
    # given two items of the town (one closed on time, one open and overdue) and one of another town
    item_closed(staff, office, town)
    item_raised(staff, town, days=1)
    item_raised(office, other_town, source=Source.AUDIT)
    clock.set("2026-03-10")
    client.force_login(office)

    # when the office opens the scorecards of 2026
    response = client.get(reverse("audits:scorecards"), {"year": 2026})

    # then the town's figures and the district's are counted
    cards = {card.name: card for card in response.context["cards"]}
    mine = cards[town.name]
    assert (mine.total, mine.open, mine.overdue, mine.closed_on_time, mine.closed_late) == (2, 1, 1, 1, 0)
    assert mine.rectification_rate == 50 and mine.rebound_rate == 0
    district = response.context["district"]
    assert (district.total, district.open) == (3, 2)


def test_a_village_clerk_sees_the_village_item_and_notes_progress_on_their_measure_only(
    clock, client, make_user, staff, town, village
):
    # given an item of the clerk's village with a measure assigned to the clerk and one to the town
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    item = item_raised(staff, town, village=village)
    mine = ledger.measure_add(
        user=staff, item=item, description="逐户核对", owner_unit="村委会", due_on=clock.today, owner_user=clerk
    )
    theirs = ledger.measure_add(user=staff, item=item, description="更正系统", owner_unit="镇", due_on=clock.today)
    client.force_login(clerk)

    # when the clerk opens the ledger and the item, and notes progress on both measures
    listed = client.get(reverse("audits:item_list")).context["object_list"]
    detail = client.get(item.get_absolute_url())
    posted = client.post(reverse("audits:progress_note_add", args=[mine.pk]), {"text": "已核对30户"})
    refused = client.post(reverse("audits:progress_note_add", args=[theirs.pk]), {"text": "已更正"})

    # then the item is listed and shown with its history tab, the note on the clerk's measure kept, the other refused
    assert item in listed
    assert detail.status_code == 200 and 'id="tab-history"' in detail.content.decode()
    assert 'data-testid="close-off-request"' not in detail.content.decode()
    assert posted.status_code == 302 and mine.notes.count() == 1
    assert refused.status_code == 403 and theirs.notes.count() == 0


def test_the_responsible_person_named_on_the_edit_page_may_not_verify_the_item(clock, client, make_user, staff, town):
    # given an item of the town, and a district office user named its responsible person on the edit page
    item = item_with_evidence(staff, town)
    responsible = make_user(Role.DISTRICT_OFFICE)
    client.force_login(staff)
    edited = client.post(
        reverse("audits:item_update", args=[item.pk]),
        {
            "category": "file",
            "description": item.description,
            "responsible_unit": "区扶贫办",
            "responsible_person": "赵主任",
            "responsible_user": responsible.pk,
        },
    )
    assert edited.status_code == 302
    ledger.close_off_request(user=staff, item=item, note="已整改")

    # when that user opens the verify page
    client.force_login(responsible)
    response = client.get(reverse("audits:close_off_verify", args=[item.pk]))

    # then it is refused
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.responsible_user == responsible and item.status == ItemStatus.CLOSE_OFF_REQUESTED
