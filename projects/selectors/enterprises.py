"""Reads of enterprises, assistance agreements and the blacklist (point 4).

Enterprises and the blacklist are a district registry every post reads (a town picks an operator from it and
must see who is blacklisted); agreements and their fulfilment are the town's, from ``projects_scope``.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from organisation.actors import Actor
from organisation.models import Town
from organisation.money import ZERO
from projects.models import AgreementFulfilment, AssistanceAgreement, BlacklistEntry, Enterprise, IndustryProject
from projects.permissions import projects_scope
from projects.selectors.rights import with_active_encumbrances

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A year's fulfilment below any of the agreement's commitments is a breach of the agreement.
BELOW_A_COMMITMENT = (
    Q(jobs_provided__lt=F("agreement__jobs_committed"))
    | Q(income_paid__lt=F("agreement__income_committed"))
    | Q(purchases_made__lt=F("agreement__purchases_committed"))
)


def _active_entry(enterprise_ref: str = "pk"):
    return BlacklistEntry.objects.filter(enterprise=OuterRef(enterprise_ref), lifted_on__isnull=True)


def with_blacklisting(queryset: QuerySet, enterprise_ref: str = "pk") -> QuerySet:
    """Annotate ``blacklisted_on``: the date of the enterprise's active blacklisting, or None."""
    return queryset.annotate(
        blacklisted_on=Subquery(_active_entry(enterprise_ref).values("decided_on")[:1], output_field=DateField())
    )


def is_breach(queryset: QuerySet[AssistanceAgreement]) -> QuerySet[AssistanceAgreement]:
    return queryset.annotate(
        in_breach=Exists(AgreementFulfilment.objects.filter(BELOW_A_COMMITMENT, agreement=OuterRef("pk")))
    )


# --- Enterprises -----------------------------------------------------------------------------------------------------


def enterprise_list(user: Actor, *, query: str = "", kind: str = "", blacklisted: str = "") -> QuerySet[Enterprise]:
    """The registry searched by name or credit code; ``blacklisted`` is "yes", "no" or "" (either)."""
    agreements = (
        projects_scope(user, queryset=AssistanceAgreement.objects.filter(enterprise=OuterRef("pk")))
        .order_by()
        .values("enterprise")
        .annotate(count=Count("pk"))
        .values("count")
    )
    enterprises = with_blacklisting(projects_scope(user, queryset=Enterprise.objects.select_related("town")))
    enterprises = enterprises.annotate(
        agreement_count=Coalesce(Subquery(agreements, output_field=IntegerField()), Value(0))
    )
    if query:
        enterprises = enterprises.filter(Q(name__icontains=query) | Q(credit_code__icontains=query.upper()))
    if kind:
        enterprises = enterprises.filter(kind=kind)
    if blacklisted == "yes":
        enterprises = enterprises.filter(Exists(_active_entry()))
    elif blacklisted == "no":
        enterprises = enterprises.exclude(Exists(_active_entry()))
    return enterprises.order_by("name")


def enterprise_agreements(user: Actor, enterprise: Enterprise) -> list[AssistanceAgreement]:
    """The enterprise's agreements the user sees, each with its fulfilment years, newest first."""
    agreements = projects_scope(user, queryset=AssistanceAgreement.objects.filter(enterprise=enterprise))
    return list(
        is_breach(agreements)
        .select_related("town", "project")
        .prefetch_related(Prefetch("fulfilments", queryset=AgreementFulfilment.objects.order_by("-year")))
        .order_by("-signed_on", "-pk")
    )


def enterprise_blacklist_entries(enterprise: Enterprise) -> list[BlacklistEntry]:
    return list(enterprise.blacklist_entries.select_related("decided_by", "lifted_by").order_by("-decided_on", "-pk"))


def enterprise_operated_projects(user: Actor, enterprise: Enterprise) -> list[IndustryProject]:
    projects = projects_scope(user).filter(operator_enterprise=enterprise).select_related("town")
    return list(with_active_encumbrances(projects).order_by("code"))


# --- The blacklist ---------------------------------------------------------------------------------------------------


def blacklist_entries(user: Actor, *, state: str = "", query: str = "") -> QuerySet[BlacklistEntry]:
    """Every blacklisting, active first; ``state`` "active" or "lifted" narrows it."""
    entries = projects_scope(user, queryset=BlacklistEntry.objects.all())
    if state == "active":
        entries = entries.filter(lifted_on__isnull=True)
    elif state == "lifted":
        entries = entries.filter(lifted_on__isnull=False)
    if query:
        entries = entries.filter(
            Q(enterprise__name__icontains=query)
            | Q(enterprise__credit_code__icontains=query.upper())
            | Q(reason__icontains=query)
        )
    return entries.select_related("enterprise", "decided_by", "lifted_by").order_by(
        F("lifted_on").desc(nulls_first=True), "-decided_on", "-pk"
    )


class AgreementFlags(TypedDict):
    in_breach: bool  # is_breach
    blacklisted_on: dt.date | None  # with_blacklisting: the enterprise's


# --- Agreements ------------------------------------------------------------------------------------------------------


def agreement_list(
    user: Actor,
    *,
    query: str = "",
    town: Town | None = None,
    breach: bool = False,
    enterprise: Enterprise | None = None,
) -> "QuerySet[WithAnnotations[AssistanceAgreement, AgreementFlags]]":
    agreements: QuerySet[WithAnnotations[AssistanceAgreement, AgreementFlags]] = with_blacklisting(
        is_breach(projects_scope(user, queryset=AssistanceAgreement.objects.all())), "enterprise"
    )
    if query:
        agreements = agreements.filter(
            Q(enterprise__name__icontains=query) | Q(number__icontains=query) | Q(project__code__icontains=query)
        )
    if town is not None:
        agreements = agreements.filter(town=town)
    if enterprise is not None:
        agreements = agreements.filter(enterprise=enterprise)
    if breach:
        agreements = agreements.filter(in_breach=True)
    return agreements.select_related("enterprise", "town", "project").order_by("-signed_on", "-pk")


def agreements_in_breach(
    user: Actor, *, undecided_only: bool = True
) -> "QuerySet[WithAnnotations[AssistanceAgreement, AgreementFlags]]":
    """Agreements with a year below a commitment, for the district to decide on a blacklisting; by default only
    those whose enterprise is not blacklisted already."""
    agreements = agreement_list(user, breach=True)
    if undecided_only:
        agreements = agreements.filter(blacklisted_on=None)
    return agreements


@dataclass(frozen=True)
class Shortfall:
    """How far a year's fulfilment fell short of each commitment (zero where it was met)."""

    jobs: int
    income: Decimal
    purchases: Decimal

    @property
    def any(self) -> bool:
        return bool(self.jobs or self.income or self.purchases)


def fulfilment_shortfall(agreement: AssistanceAgreement, fulfilment: AgreementFulfilment) -> Shortfall:
    return Shortfall(
        jobs=max(0, agreement.jobs_committed - fulfilment.jobs_provided),
        income=max(ZERO, agreement.income_committed - fulfilment.income_paid),
        purchases=max(ZERO, agreement.purchases_committed - fulfilment.purchases_made),
    )


def agreement_years(user: Actor, agreement: AssistanceAgreement) -> list[tuple[AgreementFulfilment, Shortfall]]:
    """The agreement's recorded years, newest first, each with its shortfall."""
    return [(row, fulfilment_shortfall(agreement, row)) for row in agreement.fulfilments.order_by("-year")]
