"""What the page without login publishes of points 15 and 17 (业绩公示, commendations, 社会监督评议): plain values,
no record id, no contact, no person but a commended nominee; the public's evaluations only once the district office
published them, and only their text, day and answer."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from organisation.money import ZERO
from partners.choices import CommendationStatus, EvaluationStatus, SupportKind
from partners.models import Commendation, Department, PairingSupport, PlanTarget, PublicEvaluation, TargetProgress
from partners.rules import target_progress_rate

PUBLIC_EVALUATIONS = 20


@dataclass(frozen=True)
class PublicTarget:
    year: int
    measure: str
    unit: str
    target: Decimal
    achieved: Decimal
    rate: Decimal


@dataclass
class PublicDepartment:
    name: str
    villages: int
    money: Decimal
    targets: list[PublicTarget] = field(default_factory=list)


def public_plan_progress() -> list[PublicDepartment]:
    """Each department's pairings (villages, money given) and its plan's targets with their progress (four
    queries)."""
    departments = Department.objects.annotate(
        villages=Count("pairings__village", distinct=True),
    ).order_by("sort_order", "name")
    money = dict(
        PairingSupport.objects.filter(kind=SupportKind.MONEY)
        .values("pairing__department")
        .annotate(total=Sum("amount"))
        .values_list("pairing__department", "total")
    )
    achieved = dict(
        TargetProgress.objects.values("target").annotate(total=Sum("achieved")).values_list("target", "total")
    )
    rows = {
        department.pk: PublicDepartment(
            name=department.name, villages=department.villages, money=money.get(department.pk) or ZERO
        )
        for department in departments
    }
    for target in PlanTarget.objects.order_by("department", "year", "pk"):
        done = achieved.get(target.pk) or ZERO
        rows[target.department_id].targets.append(
            PublicTarget(
                year=target.year,
                measure=target.measure,
                unit=target.unit,
                target=target.target,
                achieved=done,
                rate=target_progress_rate(done, target.target),
            )
        )
    return [row for row in rows.values() if row.targets or row.villages]


@dataclass(frozen=True)
class PublicCommendation:
    year: int
    kind: str
    nominee: str
    reason: str


def public_commendations() -> list[PublicCommendation]:
    approved = Commendation.objects.filter(status=CommendationStatus.APPROVED).order_by("-year", "pk")
    return [
        PublicCommendation(year=c.year, kind=str(c.get_nominee_kind_display()), nominee=c.nominee, reason=c.reason)
        for c in approved
    ]


@dataclass(frozen=True)
class PublicComment:
    submitted_on: str
    department: str
    text: str
    answer: str


def public_evaluations() -> list[PublicComment]:
    published = (
        PublicEvaluation.objects.filter(status=EvaluationStatus.PUBLISHED)
        .select_related("department")
        .order_by("-submitted_at", "-pk")[:PUBLIC_EVALUATIONS]
    )
    return [
        PublicComment(
            submitted_on=timezone.localtime(evaluation.submitted_at).date().isoformat(),
            department=evaluation.department.name if evaluation.department else "",
            text=evaluation.text,
            answer=evaluation.answer,
        )
        for evaluation in published
    ]


def public_departments() -> list[tuple[int, str]]:
    """The departments the public may name in an evaluation (id and name for the form's choice)."""
    return list(Department.objects.order_by("sort_order", "name").values_list("pk", "name"))
