"""Reads of property rights and assets (point 3): which built projects still lack their confirmation or their
three-assets number, the mortgages and guarantees, and what the project page's rights section needs.

Every queryset starts from ``projects_scope``, so a page cannot show another town's projects.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from households.rules import REGISTER_START_YEAR
from organisation.actors import Actor
from organisation.models import Town
from organisation.scoping import Access, towns_for
from projects.models import (
    ACTIVE_ENCUMBRANCE,
    AssetEncumbrance,
    BlacklistEntry,
    EncumbranceStatus,
    IncomeShare,
    IndustryProject,
    ProjectStatus,
)
from projects.permissions import projects_scope

# Point 3: "2014年以来" — property rights are confirmed for every project built since 2014.
CONFIRMATION_SINCE = dt.date(REGISTER_START_YEAR, 1, 1)
# Built since 2014: completed (and accepted) in 2014 or later, whether entered through the system or as an
# existing project; an operating project with no completion date recorded is counted too (it is built, and
# nothing shows it was before 2014).
BUILT_SINCE_2014 = Q(completed_on__gte=CONFIRMATION_SINCE) | Q(
    status=ProjectStatus.OPERATING, completed_on__isnull=True
)
UNCONFIRMED = BUILT_SINCE_2014 & Q(right_confirmation__isnull=True)
WITHOUT_THREE_ASSETS = BUILT_SINCE_2014 & Q(three_assets_number="")

MISSING_CONFIRMATION = "confirmation"
MISSING_THREE_ASSETS = "three_assets"
MISSING_ASSET_REGISTRATION = "asset_registration"
MISSING = {
    MISSING_CONFIRMATION: UNCONFIRMED,
    MISSING_THREE_ASSETS: WITHOUT_THREE_ASSETS,
    MISSING_ASSET_REGISTRATION: BUILT_SINCE_2014 & Q(asset_registration_number=""),
}


def with_active_encumbrances(queryset: QuerySet) -> QuerySet:
    """Projects annotated ``active_encumbrances``: how many mortgages or guarantees are requested or in force
    (what ``projects/includes/encumbrance_warning.html`` reads on a list)."""
    active = (
        AssetEncumbrance.objects.filter(project=OuterRef("pk"), status__in=ACTIVE_ENCUMBRANCE)
        .order_by()
        .values("project")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(active_encumbrances=Coalesce(Subquery(active, output_field=IntegerField()), Value(0)))


def with_rights_section(queryset: QuerySet) -> QuerySet:
    """Projects with everything ``projects/rights/project_section.html`` shows, in a fixed number of queries."""
    active_entries = BlacklistEntry.objects.filter(lifted_on__isnull=True)
    return queryset.select_related(
        "town", "park", "operator_enterprise", "operator_household__village", "right_confirmation"
    ).prefetch_related(
        Prefetch("income_shares", queryset=IncomeShare.objects.select_related("village", "household__village")),
        Prefetch("encumbrances", queryset=AssetEncumbrance.objects.select_related("requested_by", "decided_by")),
        Prefetch("operator_enterprise__blacklist_entries", queryset=active_entries),
    )


# --- Which built projects lack their paperwork -----------------------------------------------------------------------


def unconfirmed_projects(
    user: Actor, *, missing: str = MISSING_CONFIRMATION, town: Town | None = None, status: str = "", query: str = ""
) -> QuerySet[IndustryProject]:
    """Projects built since 2014 that lack a property-right confirmation (or, with ``missing``, the three-assets
    number or the asset preservation registration), oldest completion first."""
    projects = projects_scope(user).filter(MISSING.get(missing, UNCONFIRMED))
    if town is not None:
        projects = projects.filter(town=town)
    if status:
        projects = projects.filter(status=status)
    if query:
        projects = projects.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return with_active_encumbrances(projects.select_related("town")).order_by("town__code", "completed_on", "code")


def projects_without_three_assets(user: Actor) -> QuerySet[IndustryProject]:
    """Built projects not yet on the three-assets platform: they cannot start operating."""
    return unconfirmed_projects(user, missing=MISSING_THREE_ASSETS)


@dataclass(frozen=True)
class TownPaperwork:
    town: Town
    built: int
    unconfirmed: int
    without_three_assets: int
    without_asset_registration: int


def unconfirmed_by_town(user: Actor) -> list[TownPaperwork]:
    """Per town the user reaches: projects built since 2014, and how many lack each piece of paperwork (two
    queries whatever the number of towns)."""
    counts = {
        row["town_id"]: row
        for row in projects_scope(user)
        .filter(BUILT_SINCE_2014)
        .order_by()
        .values("town_id")
        .annotate(
            built=Count("pk"),
            unconfirmed=Count("pk", filter=Q(right_confirmation__isnull=True)),
            without_three_assets=Count("pk", filter=Q(three_assets_number="")),
            without_asset_registration=Count("pk", filter=Q(asset_registration_number="")),
        )
    }
    towns = Town.objects.filter(Q(pk__in=towns_for(user, Access.VIEW).values("pk")) | Q(pk__in=list(counts))).order_by(
        "code"
    )
    empty = {"built": 0, "unconfirmed": 0, "without_three_assets": 0, "without_asset_registration": 0}
    return [
        TownPaperwork(
            town=town,
            built=counts.get(town.pk, empty)["built"],
            unconfirmed=counts.get(town.pk, empty)["unconfirmed"],
            without_three_assets=counts.get(town.pk, empty)["without_three_assets"],
            without_asset_registration=counts.get(town.pk, empty)["without_asset_registration"],
        )
        for town in towns
    ]


# --- Mortgages and guarantees ----------------------------------------------------------------------------------------

ENCUMBRANCE_STATES = {
    "active": ACTIVE_ENCUMBRANCE,
    EncumbranceStatus.REQUESTED.value: (EncumbranceStatus.REQUESTED,),
    EncumbranceStatus.APPROVED.value: (EncumbranceStatus.APPROVED,),
    EncumbranceStatus.REFUSED.value: (EncumbranceStatus.REFUSED,),
    EncumbranceStatus.RELEASED.value: (EncumbranceStatus.RELEASED,),
    "all": tuple(EncumbranceStatus),
}


def encumbrance_list(
    user: Actor, *, state: str = "active", town: Town | None = None, query: str = ""
) -> QuerySet[AssetEncumbrance]:
    """Mortgages and guarantees on the projects the user sees; by default those requested or in force."""
    encumbrances = projects_scope(user, Access.VIEW, AssetEncumbrance.objects.all()).filter(
        status__in=ENCUMBRANCE_STATES.get(state, ACTIVE_ENCUMBRANCE)
    )
    if town is not None:
        encumbrances = encumbrances.filter(project__town=town)
    if query:
        encumbrances = encumbrances.filter(
            Q(project__code__icontains=query) | Q(project__name__icontains=query) | Q(creditor__icontains=query)
        )
    # Requests awaiting the district's decision first.
    awaiting = Case(When(status=EncumbranceStatus.REQUESTED, then=Value(0)), default=Value(1))
    return encumbrances.select_related("project__town", "requested_by", "decided_by").order_by(
        awaiting, "-requested_on", "-pk"
    )
