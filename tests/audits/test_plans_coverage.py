"""The yearly supervision plan, audit engagements, their findings as ledger items, and the year's coverage (全覆盖)."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.choices import Category, Source, SubjectKind, SupervisionBody
from audits.selectors.plans import coverage
from audits.services import plans
from funds.choices import Hop
from projects.models import Category as ProjectCategory
from tests.factories.audits import PDF_BYTES

YEAR = 2026


def engagement(user, *, planned=None, starts_on=None, **subject):
    values = {"body": SupervisionBody.AUDIT_BUREAU, "subject_kind": SubjectKind.MICROCREDIT, **subject}
    return plans.engagement_record(
        user=user,
        title="扶贫小额信贷专项审计",
        scope="2026年度扶贫小额信贷发放与回收",
        team="区审计局农业审计科",
        starts_on=starts_on or dt.date(YEAR, 3, 1),
        planned=planned,
        **values,
    )


@pytest.mark.django_db
def test_a_plan_names_one_subject_of_its_kind(office):
    # when a fund flow is planned without its hop, it is refused on the hop
    with pytest.raises(ValidationError) as refusal:
        plans.planned_inspection_add(
            user=office,
            year=YEAR,
            quarter=2,
            title="资金拨付专项督查",
            body=SupervisionBody.DISTRICT_OFFICE,
            subject_kind=SubjectKind.FUND_FLOW,
        )
    assert "hop" in refusal.value.message_dict
    # when it names the hop, it is planned with no town or category
    plan = plans.planned_inspection_add(
        user=office,
        year=YEAR,
        quarter=2,
        title="资金拨付专项督查",
        body=SupervisionBody.DISTRICT_OFFICE,
        subject_kind=SubjectKind.FUND_FLOW,
        hop=Hop.TO_VILLAGE,
    )
    assert (plan.hop, plan.town, plan.project_category) == (Hop.TO_VILLAGE, None, "")


@pytest.mark.django_db
def test_only_the_district_bodies_plan_and_record(staff):
    with pytest.raises(PermissionDenied):
        plans.planned_inspection_add(
            user=staff,
            year=YEAR,
            quarter=1,
            title="自查",
            body=SupervisionBody.DISTRICT_OFFICE,
            subject_kind=SubjectKind.MICROCREDIT,
        )
    with pytest.raises(PermissionDenied):
        engagement(staff)


@pytest.mark.django_db
def test_an_engagement_keeps_its_reports_sha256_and_refuses_a_report_that_is_not_a_document(auditor):
    # when the report is a PDF, its digest is kept
    record = engagement(auditor)
    with_report = plans.engagement_record(
        user=auditor,
        title="审计报告",
        body=SupervisionBody.AUDIT_BUREAU,
        subject_kind=SubjectKind.MICROCREDIT,
        scope="范围",
        team="审计组",
        starts_on=record.starts_on,
        report=SimpleUploadedFile("审计报告.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    assert with_report.report_sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    # when a text file is named .pdf, it is refused on the report
    with pytest.raises(ValidationError) as refusal:
        plans.engagement_record(
            user=auditor,
            title="审计报告",
            body=SupervisionBody.AUDIT_BUREAU,
            subject_kind=SubjectKind.MICROCREDIT,
            scope="范围",
            team="审计组",
            starts_on=record.starts_on,
            report=SimpleUploadedFile("审计报告.pdf", b"not a pdf", content_type="application/pdf"),
        )
    assert "report" in refusal.value.message_dict


@pytest.mark.django_db
def test_an_engagements_finding_becomes_a_ledger_item_linked_to_it(auditor, town):
    # given an audit engagement of the town
    record = engagement(auditor, subject_kind=SubjectKind.TOWN, town=town)
    # when the audit post raises a finding of it
    item = plans.engagement_finding_raise(
        user=auditor,
        engagement=record,
        category=Category.FUNDS,
        town=town,
        description="扶贫资金滞留镇财政所",
        responsible_unit=f"{town.name}财政所",
        responsible_person="李所长",
        time_limit_working_days=20,
    )
    # then it is an audit item of the engagement
    item.refresh_from_db()
    assert (item.source, item.engagement, item.source_reference) == (Source.AUDIT, record, record.title)
    assert list(record.items.all()) == [item]


@pytest.mark.django_db
def test_coverage_shows_what_was_covered_and_what_not_yet(office, auditor, town, other_town):
    # given a plan for the town in Q1 and for a project category, and engagements of the town and of one fund flow
    plans.planned_inspection_add(
        user=office,
        year=YEAR,
        quarter=1,
        title="镇级督查",
        body=SupervisionBody.DISTRICT_OFFICE,
        subject_kind=SubjectKind.TOWN,
        town=town,
    )
    plans.planned_inspection_add(
        user=office,
        year=YEAR,
        quarter=3,
        title="光伏项目审计",
        body=SupervisionBody.AUDIT_BUREAU,
        subject_kind=SubjectKind.PROJECT_CATEGORY,
        project_category=ProjectCategory.TOURISM,
    )
    engagement(auditor, subject_kind=SubjectKind.TOWN, town=town)
    engagement(auditor, subject_kind=SubjectKind.FUND_FLOW, hop=Hop.TO_TOWN)
    # when the year's coverage is read
    sections = {section.kind: section for section in coverage(user=office, year=YEAR)}
    # then the town and the hop are covered, the other town, the other hops and the planned category not yet
    towns = {row.label: row for row in sections[SubjectKind.TOWN].rows}
    assert towns[town.name].covered and towns[town.name].planned_quarters == [1]
    assert not towns[other_town.name].covered
    hops = {row.label: row.covered for row in sections[SubjectKind.FUND_FLOW].rows}
    assert hops == {str(Hop.TO_TOWN.label): True, str(Hop.TO_STATION.label): False, str(Hop.TO_VILLAGE.label): False}
    categories = {row.label: row for row in sections[SubjectKind.PROJECT_CATEGORY].rows}
    assert categories[str(ProjectCategory.TOURISM.label)].planned_quarters == [3]
    assert not categories[str(ProjectCategory.TOURISM.label)].covered
    assert not sections[SubjectKind.MICROCREDIT].rows[0].covered
    # and another year has nothing covered
    assert not any(row.covered for section in coverage(user=office, year=YEAR + 1) for row in section.rows)


@pytest.mark.django_db
def test_the_plan_pages_are_the_district_bodies(client, office, auditor, staff):
    # given an engagement
    record = engagement(auditor)
    pages = [
        reverse("audits:plan_list"),
        reverse("audits:plan_add"),
        reverse("audits:engagement_list"),
        reverse("audits:engagement_add"),
        reverse("audits:engagement_detail", args=[record.pk]),
        f"{reverse('audits:coverage')}?year={YEAR}",
    ]
    # then the district bodies open every page
    for user in (office, auditor):
        client.force_login(user)
        for page in pages:
            assert client.get(page).status_code == 200, (user, page)
    # and a town's staff see no engagement and may not plan
    client.force_login(staff)
    assert client.get(reverse("audits:engagement_detail", args=[record.pk])).status_code == 404
    assert record.title not in client.get(reverse("audits:engagement_list")).content.decode()
    for page in (reverse("audits:plan_add"), reverse("audits:engagement_add"), reverse("audits:coverage")):
        assert client.get(page).status_code == 403, page


@pytest.mark.django_db
def test_the_report_is_downloaded_through_the_scope(client, auditor, staff):
    # given an engagement with its report
    record = plans.engagement_record(
        user=auditor,
        title="审计报告",
        body=SupervisionBody.AUDIT_BUREAU,
        subject_kind=SubjectKind.MICROCREDIT,
        scope="范围",
        team="审计组",
        starts_on=dt.date(YEAR, 3, 1),
        report=SimpleUploadedFile("审计报告.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    url = reverse("audits:engagement_report", args=[record.pk])
    # then the audit post downloads the very bytes, and a town's staff find nothing there
    client.force_login(auditor)
    assert b"".join(client.get(url).streaming_content) == PDF_BYTES
    client.force_login(staff)
    assert client.get(url).status_code == 404
