"""Reads of the departments, their action plans' progress and their pairings with poor villages (point 15)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from organisation.actors import Actor
from organisation.models import Village
from organisation.money import MONEY_FIELD, ZERO
from organisation.scoping import Access
from partners.choices import SupportKind
from partners.models import Department, Pairing, PairingSupport, PlanTarget
from partners.permissions import partners_scope
from partners.rules import target_progress_rate


def department_list(*, user: Actor, query: str = "") -> QuerySet[Department]:
    departments = partners_scope(user, Access.VIEW, Department.objects.all())
    if query := query.strip():
        departments = departments.filter(name__icontains=query)
    pairings = partners_scope(user, Access.VIEW, Pairing.objects.all())
    return departments.annotate(
        pairing_count=Count("pairings", filter=Q(pairings__in=pairings.values("pk")), distinct=True),
        target_count=Count("targets", distinct=True),
    ).order_by("sort_order", "name")


@dataclass(frozen=True)
class TargetRow:
    target: PlanTarget
    achieved: Decimal
    quarters: dict[int, Decimal]

    @property
    def rate(self) -> Decimal:
        return target_progress_rate(self.achieved, self.target.target)


def plan_progress(*, department: Department) -> list[TargetRow]:
    """Each target of the department's plan with its quarters' progress and their sum (two queries)."""
    targets = list(department.targets.order_by("year", "pk").prefetch_related("progress"))
    rows = []
    for target in targets:
        quarters = {progress.quarter: progress.achieved for progress in target.progress.all()}
        rows.append(TargetRow(target=target, achieved=sum(quarters.values(), ZERO), quarters=quarters))
    return rows


def _support_totals(pairings: QuerySet[Pairing]) -> QuerySet[Pairing]:
    money = Coalesce(
        Sum("support__amount", filter=Q(support__kind=SupportKind.MONEY)), Value(ZERO), output_field=MONEY_FIELD
    )
    materials = Coalesce(
        Sum("support__amount", filter=Q(support__kind=SupportKind.MATERIALS)), Value(ZERO), output_field=MONEY_FIELD
    )
    people = Coalesce(Sum("support__people"), 0)
    return pairings.annotate(money_total=money, materials_total=materials, people_total=people)


def pairing_list(
    *, user: Actor, query: str = "", department: Department | None = None, village: Village | None = None
) -> QuerySet[Pairing]:
    pairings = partners_scope(user, Access.VIEW, Pairing.objects.all()).select_related(
        "department", "village", "village__town"
    )
    if department is not None:
        pairings = pairings.filter(department=department)
    if village is not None:
        pairings = pairings.filter(village=village)
    if query := query.strip():
        pairings = pairings.filter(
            Q(department__name__icontains=query)
            | Q(village__name__icontains=query)
            | Q(village__town__name__icontains=query)
        )
    return _support_totals(pairings).order_by("-starts_on", "-pk")


def pairing_support(*, user: Actor, pairing: Pairing) -> QuerySet[PairingSupport]:
    return partners_scope(user, Access.VIEW, PairingSupport.objects.filter(pairing=pairing)).order_by(
        "-given_on", "-pk"
    )
