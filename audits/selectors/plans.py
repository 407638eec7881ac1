"""Reads of the yearly supervision plan and the audit engagements, and the coverage (全覆盖) of a year: which towns,
fund flows, project categories and microcredit were inspected or audited, and which not yet."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from audits.choices import SubjectKind
from audits.models import AuditEngagement, PlannedInspection
from audits.permissions import audits_scope
from funds.choices import Hop
from organisation.actors import Actor
from organisation.models import Town
from organisation.scoping import Access
from projects.models import Category as ProjectCategory


def plan_list(*, user: Actor, year: int) -> QuerySet[PlannedInspection]:
    return (
        audits_scope(user, Access.VIEW, PlannedInspection.objects.filter(year=year))
        .select_related("town")
        .annotate(engagement_count=Count("engagements"))
        .order_by("quarter", "pk")
    )


def engagement_list(*, user: Actor, year: int | None = None, query: str = "") -> QuerySet[AuditEngagement]:
    engagements = audits_scope(user, Access.VIEW, AuditEngagement.objects.all()).select_related("town", "planned")
    if year is not None:
        engagements = engagements.filter(starts_on__year=year)
    if query := query.strip():
        engagements = engagements.filter(
            Q(title__icontains=query) | Q(scope__icontains=query) | Q(team__icontains=query)
        )
    return engagements.annotate(item_count=Count("items")).order_by("-starts_on", "-pk")


@dataclass
class CoverageRow:
    """One subject of the year: the quarters it is planned in and the engagements that covered it."""

    label: str
    planned_quarters: list[int] = field(default_factory=list)
    engagements: list[AuditEngagement] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.engagements)


@dataclass
class CoverageSection:
    kind: SubjectKind
    rows: list[CoverageRow]

    @property
    def covered_count(self) -> int:
        return sum(row.covered for row in self.rows)


def coverage(*, user: Actor, year: int) -> list[CoverageSection]:
    """For each kind of subject, every subject with its plan and its engagements in ``year`` (three queries)."""
    keys: dict[tuple[str, object], CoverageRow] = {}
    sections = []
    subjects: list[tuple[SubjectKind, list[tuple[object, str]]]] = [
        (SubjectKind.TOWN, [(town.pk, town.name) for town in Town.objects.order_by("name")]),
        (SubjectKind.FUND_FLOW, [(hop.value, str(hop.label)) for hop in Hop]),
        (SubjectKind.PROJECT_CATEGORY, [(category.value, str(category.label)) for category in ProjectCategory]),
        (SubjectKind.MICROCREDIT, [(None, str(SubjectKind.MICROCREDIT.label))]),
    ]
    for kind, entries in subjects:
        rows = []
        for key, label in entries:
            keys[(kind.value, key)] = CoverageRow(label=label)
            rows.append(keys[(kind.value, key)])
        sections.append(CoverageSection(kind=kind, rows=rows))
    for plan in audits_scope(user, Access.VIEW, PlannedInspection.objects.filter(year=year)).order_by("quarter"):
        if planned := keys.get((plan.subject_kind, _subject_key(plan))):
            planned.planned_quarters.append(plan.quarter)
    engagements = audits_scope(user, Access.VIEW, AuditEngagement.objects.filter(starts_on__year=year))
    for engagement in engagements.order_by("starts_on", "pk"):
        if covered := keys.get((engagement.subject_kind, _subject_key(engagement))):
            covered.engagements.append(engagement)
    return sections


def _subject_key(record) -> object:
    return {
        SubjectKind.TOWN: record.town_id,
        SubjectKind.FUND_FLOW: record.hop,
        SubjectKind.PROJECT_CATEGORY: record.project_category,
    }.get(record.subject_kind)
