"""Factories of the audits app: ledger items made through the real services, in each state a test needs."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from audits.choices import Category, Source
from audits.services import ledger, supervision
from audits.services.imports import ledger_import_check, ledger_import_upload
from funds.models import Allocation, Hop, Loan, LoanStatus, MonthlyReport, RiskBand, SupervisionFinding, Transfer
from households.models import QualityProblem
from households.models.quality import ProblemClass
from organisation.workdays import WorkingCalendar
from projects.models import RectificationPlan
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.factories.projects import ProjectFactory

# The smallest files of each kind the evidence upload accepts (recognised by their content).
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def office_bytes(folder: str) -> bytes:
    """A minimal Office Open XML package: ``xl/`` makes an xlsx, ``word/`` a docx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


def pdf_upload(name: str = "整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def item_raised(user, town, *, village=None, source=Source.SELF_CHECK, days: int = 20, **fields):
    """An item ``user`` raised by hand in ``town`` today (a self-check unless ``source`` says otherwise)."""
    values = {
        "category": Category.INFORMATION,
        "description": "贫困户信息录入不准确",
        "responsible_unit": f"{town.name}人民政府",
        "responsible_person": "王镇长",
        **fields,
    }
    return ledger.item_raise(
        user=user, source=source, town=town, village=village, time_limit_working_days=days, **values
    )


def item_with_evidence(user, town, **fields):
    """An item with one evidence file, ready to be asked to be closed off by ``user`` (a keeper)."""
    item = item_raised(user, town, **fields)
    ledger.evidence_upload(user=user, item=item, upload=pdf_upload())
    return item


def item_requested(user, town, **fields):
    """An item ``user`` asked to be closed off, with evidence and a note."""
    item = item_with_evidence(user, town, **fields)
    return ledger.close_off_request(user=user, item=item, note="已逐户核实并更正信息")


def item_closed(requester, verifier, town, **fields):
    """An item closed off: asked by ``requester``, verified by ``verifier``; its look-back is scheduled."""
    item = item_requested(requester, town, **fields)
    return ledger.close_off_verify(user=verifier, item=item, approve=True, note="材料齐全")


# The Excel import of an inspection's or audit's list of problems (audits.importing).

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_row(town, village=None, **cells) -> dict:
    """One row of a list of problems, by header; ``cells`` replace or add columns."""
    return {
        "序号": 1,
        "问题来源": "审计",
        "问题类别": "资金",
        "镇街": town.name,
        "村居": village.name if village is not None else "",
        "问题描述": f"{town.name}扶贫资金拨付滞后",
        "责任单位": f"{town.name}人民政府",
        "责任人": "张三",
        "整改时限（工作日）": 20,
        "来源文号": "兰审报〔2018〕5号",
        **cells,
    }


def ledger_sheet_bytes(rows: list[dict], *, headers: list[str] | None = None, title: str | None = None) -> bytes:
    headers = headers or (list(rows[0]) if rows else [])
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_sheet_upload(rows: list[dict], *, name: str = "审计问题清单.xlsx", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ledger_sheet_bytes(rows, **options), content_type=XLSX)


def ledger_import_checked(user, rows: list[dict], **options):
    """An import of ``rows`` uploaded by ``user`` and checked (here, not on a worker)."""
    job = ledger_import_upload(user=user, upload=ledger_sheet_upload(rows), **options)
    return ledger_import_check(job_id=job.pk)


# --- The other apps' signals the daily ledger scan turns into items -------------------------------------------------


def signals_of_each_kind(town, village, user, count: int, *, month_offset: int = 0) -> dict[str, list]:
    """``count`` records of each kind the ledger scan raises items from, in ``town``/``village``, written in bulk:
    transfers and monthly reports flagged overdue, findings on those transfers, open data-quality problems, open
    rectification plans of projects, and loans with a risk warning. ``month_offset`` keeps a second call's reports in
    months of their own (one report per town and month)."""
    now = timezone.now()
    received, due = dt.date(2026, 10, 26), dt.date(2026, 11, 10)
    first = Allocation.objects.count()
    allocations = Allocation.objects.bulk_create(
        Allocation(
            document_number=f"鲁财农指〔2026〕{5000 + first + index}号",
            title="测试",
            year=2026,
            amount=Decimal("1000.00"),
            allotted=Decimal("1000.00"),
            received_on=received,
            recorded_by=user,
        )
        for index in range(count)
    )
    transfers = Transfer.objects.bulk_create(
        Transfer(
            allocation=allocation,
            hop=Hop.TO_TOWN,
            town=town,
            amount=Decimal("1000.00"),
            clock_start=received,
            due_date=due,
            overdue_flagged_at=now,
        )
        for allocation in allocations
    )
    reports = MonthlyReport.objects.bulk_create(
        MonthlyReport(
            town=town,
            month=dt.date(2000 + (month_offset + index) // 12, (month_offset + index) % 12 + 1, 1),
            due_date=due,
            overdue_flagged_at=now,
        )
        for index in range(count)
    )
    findings = SupervisionFinding.objects.bulk_create(
        SupervisionFinding(transfer=transfer, note=f"拨付凭证不全 {index}", raised_by=user)
        for index, transfer in enumerate(transfers)
    )
    households = [HouseholdFactory(village=village) for _index in range(count)]
    classes = list(ProblemClass)
    problems = QualityProblem.objects.bulk_create(
        QualityProblem(
            key=f"test:{household.pk}",
            rule="test_rule",
            problem_class=classes[index % len(classes)],
            town=town,
            household=household,
            detail="家庭人口与成员数不一致",
            first_found_at=now,
            last_found_at=now,
        )
        for index, household in enumerate(households)
    )
    plans = RectificationPlan.objects.bulk_create(
        RectificationPlan(project=ProjectFactory(town=town, villages=[village])) for _index in range(count)
    )
    loans = Loan.objects.bulk_create(
        Loan(
            household=household,
            borrower=MemberFactory(household=household),
            amount=Decimal("30000.00"),
            term_months=12,
            purpose="养殖肉牛",
            status=LoanStatus.DISBURSED,
            decided_on=received,
            decided_by=user,
            disbursed_on=received,
            maturity_on=received + dt.timedelta(days=365),
            contract_number=f"LS-AUDIT-{household.pk}",
            clock_start=received,
            due_date=due,
            recorded_by=user,
            risk_band=RiskBand.OVERDUE_30,
            risk_flagged_at=now,
        )
        for household in households
    )
    return {
        "transfers": transfers,
        "reports": reports,
        "findings": findings,
        "quality_problems": problems,
        "rectification_plans": plans,
        "loans": loans,
    }


def working_day_after(day):
    """The first working day after ``day`` (a new deadline must be one)."""
    calendar = WorkingCalendar.load()
    day += dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def interview_held(user, town, items, held_on, new_deadline):
    """An interview ``user`` recorded on ``held_on`` with the town's head about ``items``, due again on
    ``new_deadline``."""
    return supervision.interview_record(
        user=user,
        town=town,
        interviewee_name="王镇长",
        interviewee_post="镇长",
        interviewee_unit=f"{town.name}人民政府",
        interviewer="区扶贫办",
        held_on=held_on,
        minutes="约谈记录",
        commitments="十日内整改到位",
        new_deadline=new_deadline,
        items=items,
    )
