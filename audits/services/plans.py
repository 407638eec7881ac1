"""年度监督工作计划 and 审计项目 (points 6 and 19): plan the year's inspections and audits, record each engagement with
its scope, team, dates and report, and raise its findings as ledger items.

The district office and the audit post plan and record (``SUPERVISION_PLANNERS``); what a plan or an engagement covers
is one subject: a town, a hop of the funds chain, a project category or microcredit (the database holds the pairing).
"""

import datetime as dt
import hashlib

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits import evidence as report_files
from audits.choices import Quarter, Source, SubjectKind, SupervisionBody
from audits.models import AuditEngagement, PlannedInspection, RectificationItem
from audits.permissions import SUPERVISION_PLANNERS, audits_scope
from audits.services import ledger
from funds.choices import Hop
from organisation.locking import locked_in_reach
from organisation.models import Town, Village
from organisation.scoping import Access
from organisation.validation import role_require, text_required
from projects.models import Category as ProjectCategory


@transaction.atomic
def planned_inspection_add(
    *,
    user: User,
    year: int,
    quarter: int,
    title: str,
    body: str,
    subject_kind: str,
    town: Town | None = None,
    hop: str = "",
    project_category: str = "",
) -> PlannedInspection:
    """Put an inspection or audit on the year's plan."""
    role_require(user, SUPERVISION_PLANNERS, _("The district office and the audit post plan inspections and audits."))
    if quarter not in Quarter.values:
        raise ValidationError({"quarter": _("Choose the quarter.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give the plan's year.")})
    return PlannedInspection.objects.create(
        year=year,
        quarter=quarter,
        title=text_required(title, "title", _("Give the inspection or audit a title.")),
        planned_by=user,
        **_subject_check(body, subject_kind, town, hop, project_category),
    )


@transaction.atomic
def engagement_record(
    *,
    user: User,
    title: str,
    body: str,
    subject_kind: str,
    scope: str,
    team: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    town: Town | None = None,
    hop: str = "",
    project_category: str = "",
    planned: PlannedInspection | None = None,
    report=None,
) -> AuditEngagement:
    """Record an audit engagement (or an inspection): its scope, team, dates, and its report (PDF, xlsx or docx,
    recognised by content; its SHA-256 kept)."""
    role_require(user, SUPERVISION_PLANNERS, _("The district office and the audit post record audit engagements."))
    if planned is not None:
        planned = locked_in_reach(audits_scope, user, planned, access=Access.VIEW)
    if starts_on is None:
        raise ValidationError({"starts_on": _("Give the day the engagement started.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The engagement cannot end before it starts.")})
    engagement = AuditEngagement(
        title=text_required(title, "title", _("Give the engagement a title.")),
        planned=planned,
        scope=text_required(scope, "scope", _("Describe the engagement's scope.")),
        team=text_required(team, "team", _("Name the engagement's team.")),
        starts_on=starts_on,
        ends_on=ends_on,
        recorded_by=user,
        **_subject_check(body, subject_kind, town, hop, project_category),
    )
    if report is not None:
        _report_attach(engagement, report)
    engagement.save()
    return engagement


@transaction.atomic
def engagement_finding_raise(
    *,
    user: User,
    engagement: AuditEngagement,
    category: str,
    town: Town,
    description: str,
    responsible_unit: str,
    responsible_person: str,
    time_limit_working_days: int,
    village: Village | None = None,
) -> RectificationItem:
    """A finding of the engagement becomes a ledger item of source "audit", linked to the engagement."""
    role_require(
        user, SUPERVISION_PLANNERS, _("The district office and the audit post raise an engagement's findings.")
    )
    engagement = locked_in_reach(audits_scope, user, engagement, access=Access.VIEW)
    return ledger.item_raise(
        user=user,
        source=Source.AUDIT,
        category=category,
        town=town,
        village=village,
        description=description,
        responsible_unit=responsible_unit,
        responsible_person=responsible_person,
        time_limit_working_days=time_limit_working_days,
        source_reference=engagement.title,
        engagement=engagement,
    )


def _subject_check(body: str, subject_kind: str, town: Town | None, hop: str, project_category: str) -> dict:
    """The body and the one subject of a plan or engagement, the fields of other kinds left empty."""
    if body not in SupervisionBody.values:
        raise ValidationError({"body": _("Choose who carries it out.")})
    if subject_kind == SubjectKind.TOWN:
        if town is None:
            raise ValidationError({"town": _("Choose the town.")})
        return {"body": body, "subject_kind": subject_kind, "town": town, "hop": "", "project_category": ""}
    if subject_kind == SubjectKind.FUND_FLOW:
        if hop not in Hop.values:
            raise ValidationError({"hop": _("Choose the fund flow.")})
        return {"body": body, "subject_kind": subject_kind, "town": None, "hop": hop, "project_category": ""}
    if subject_kind == SubjectKind.PROJECT_CATEGORY:
        if project_category not in ProjectCategory.values:
            raise ValidationError({"project_category": _("Choose the project category.")})
        return {
            "body": body,
            "subject_kind": subject_kind,
            "town": None,
            "hop": "",
            "project_category": project_category,
        }
    if subject_kind == SubjectKind.MICROCREDIT:
        return {"body": body, "subject_kind": subject_kind, "town": None, "hop": "", "project_category": ""}
    raise ValidationError({"subject_kind": _("Choose what the inspection or audit covers.")})


def _report_attach(engagement: AuditEngagement, report) -> None:
    limit = report_files.evidence_max_bytes()
    if report.size > limit:
        raise ValidationError(
            {"report": _("The file is larger than %(limit)s MB.") % {"limit": round(limit / 1024 / 1024, 1)}}
        )
    kind = report_files.content_type_of(report)
    if kind not in (report_files.PDF, report_files.DOCX, report_files.XLSX) or not report_files.name_matches(
        report.name, kind
    ):
        raise ValidationError({"report": _("The report must be a PDF, Word (docx) or Excel (xlsx) file.")})
    digest = hashlib.sha256()
    for chunk in report.chunks():
        digest.update(chunk)
    report.seek(0)
    engagement.report_sha256 = digest.hexdigest()
    engagement.report.save(f"{digest.hexdigest()[:16]}{kind.extension}", report, save=False)
