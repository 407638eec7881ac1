"""Reads about industry projects: the list, one project's page, the review board, and the public page.

Every read for a signed-in user starts from ``projects_scope``. The public page's reads are the one exception, on
purpose: they take no user, and return plain values of what may be published (no record, no person, no id), so a
template cannot reach anything else through them.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear

from households.choices import Relation
from households.models import Member
from organisation.actors import Actor
from organisation.models import Town, Village
from organisation.money import MONEY_FIELD, ZERO
from organisation.scoping import Access, towns_for, villages_for
from projects.models import (
    ACTIVE_ENCUMBRANCE,
    AssetEncumbrance,
    Category,
    IncomeDistribution,
    IncomeRecord,
    IndustryProject,
    Investment,
    Objection,
    Opinion,
    ProjectStatus,
    Publicity,
    ReviewDepartment,
    ReviewOpinion,
    StatusChange,
)
from projects.permissions import DISTRICT_WRITERS, projects_scope
from projects.selectors import as_of as as_of_reads
from projects.selectors.income import mask_name
from projects.selectors.rights import with_active_encumbrances


def _total_investment() -> Coalesce:
    total = (
        Investment.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


# --- The list -----------------------------------------------------------------------------------------------------


RIGHTS_CONFIRMED = "confirmed"
RIGHTS_UNCONFIRMED = "unconfirmed"


def project_list(
    *,
    user: Actor,
    town: Town | None = None,
    village: Village | None = None,
    status: str = "",
    category: str = "",
    in_park: bool | None = None,
    encumbered: bool | None = None,
    query: str = "",
    as_of: dt.date | None = None,
    rights: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> QuerySet[IndustryProject]:
    """The projects the user sees, filtered; each with ``total_investment`` and ``active_encumbrances`` (the
    number of mortgages or guarantees requested or in force, what ``projects/includes/encumbrance_warning.html``
    reads), its town, park and villages, in a fixed number of queries whatever the page.

    With ``as_of``, the projects as they stood on that day (``projects.selectors.as_of``): those that existed then,
    ``status`` their status on the day (annotated ``status_on``), ``total_investment`` what was invested by then,
    ``rights`` the paperwork on the day. ``rights`` keeps the projects that need their property-right confirmation
    (built since 2014) and have it (``confirmed``) or not (``unconfirmed``). With ``received_from`` or
    ``received_to``, the projects that received income in those days, each with ``income_received`` then."""
    projects = projects_scope(user)
    if town is not None:
        projects = projects.filter(town=town)
    if village is not None:
        projects = projects.filter(villages=village)
    if as_of is not None:
        projects = projects.filter(as_of_reads.in_status_on(as_of, status or None)).annotate(
            **{as_of_reads.STATUS_ON: as_of_reads.status_on(as_of)}
        )
    elif status:
        projects = projects.filter(status=status)
    if rights in (RIGHTS_CONFIRMED, RIGHTS_UNCONFIRMED):
        confirmed = as_of_reads.confirmed_on(as_of)
        projects = projects.filter(as_of_reads.needs_confirmation_on(as_of)).filter(
            confirmed if rights == RIGHTS_CONFIRMED else ~confirmed
        )
    if received_from is not None or received_to is not None:
        received = IncomeRecord.objects.filter(project=OuterRef("pk"))
        if received_from is not None:
            received = received.filter(received_on__gte=received_from)
        if received_to is not None:
            received = received.filter(received_on__lte=received_to)
        income = received.order_by().values("project").annotate(total=Sum("amount")).values("total")
        projects = projects.filter(Exists(received)).annotate(
            income_received=Subquery(income, output_field=MONEY_FIELD)
        )
    if category:
        projects = projects.filter(category=category)
    if in_park is not None:
        projects = projects.filter(park__isnull=not in_park)
    if encumbered is not None:
        active = AssetEncumbrance.objects.filter(project=OuterRef("pk"), status__in=ACTIVE_ENCUMBRANCE)
        projects = projects.filter(Exists(active)) if encumbered else projects.exclude(Exists(active))
    if query := query.strip():
        projects = projects.filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(implementing_unit__icontains=query)
        )
    return with_active_encumbrances(
        projects.select_related("town", "park")
        .prefetch_related(Prefetch("villages", queryset=Village.objects.order_by("code")))
        .annotate(total_investment=_total_investment() if as_of is None else as_of_reads.investment_on(as_of))
        .order_by("-created_at", "-pk")
    )


def filter_towns(user: Actor) -> QuerySet[Town]:
    return towns_for(user).order_by("code")


def filter_villages(user: Actor, town: Town | None = None) -> QuerySet[Village]:
    villages = villages_for(user).select_related("town").order_by("code")
    return villages.filter(town=town) if town is not None else villages


def towns_to_propose_in(user: Actor) -> QuerySet[Town]:
    return towns_for(user, Access.CHANGE, DISTRICT_WRITERS).order_by("code")


# --- The joint review ---------------------------------------------------------------------------------------------


@dataclass
class RoundStanding:
    """Where the current round of a project's review stands: the committee's current members and their opinions."""

    review_round: int
    members: list[ReviewDepartment]
    opinions: dict[int, ReviewOpinion] = field(default_factory=dict)  # by department id, members only

    @property
    def agreed(self) -> list[ReviewOpinion]:
        return [o for o in self.opinions.values() if o.opinion == Opinion.AGREE]

    @property
    def conditional(self) -> list[ReviewOpinion]:
        return [o for o in self._in_member_order() if o.opinion == Opinion.AGREE_WITH_CONDITIONS]

    @property
    def disagreed(self) -> list[ReviewOpinion]:
        return [o for o in self._in_member_order() if o.opinion == Opinion.DISAGREE]

    @property
    def missing(self) -> list[ReviewDepartment]:
        return [d for d in self.members if d.pk not in self.opinions]

    @property
    def all_agreed(self) -> bool:
        """Every current member agreed (with or without conditions); a committee with no member agrees to nothing."""
        return bool(self.members) and not self.missing and not self.disagreed

    def rows(self) -> list[tuple[ReviewDepartment, ReviewOpinion | None]]:
        return [(d, self.opinions.get(d.pk)) for d in self.members]

    def _in_member_order(self) -> list[ReviewOpinion]:
        return [self.opinions[d.pk] for d in self.members if d.pk in self.opinions]


def committee_members() -> list[ReviewDepartment]:
    return list(ReviewDepartment.objects.filter(is_member=True).order_by("sort_order", "name"))


def review_round_standings(projects, members: list[ReviewDepartment] | None = None) -> dict[int, RoundStanding]:
    """Each project's current round, by project id, in two queries whatever the number of projects."""
    members = committee_members() if members is None else members
    member_ids = {d.pk for d in members}
    projects = list(projects)
    standings = {p.pk: RoundStanding(review_round=p.review_round, members=members) for p in projects}
    rounds = Q()
    for project in projects:
        rounds |= Q(project_id=project.pk, review_round=project.review_round)
    if projects:
        for opinion in ReviewOpinion.objects.filter(rounds, department_id__in=member_ids).select_related(
            "department", "recorded_by"
        ):
            standings[opinion.project_id].opinions[opinion.department_id] = opinion
    return standings


def review_round_standing(*, project: IndustryProject) -> RoundStanding:
    return review_round_standings([project])[project.pk]


def review_board(*, user: Actor) -> list[tuple[IndustryProject, RoundStanding]]:
    """The projects under joint review that the user sees, oldest submission first, with their round's standing."""
    projects = list(
        projects_scope(user)
        .filter(status=ProjectStatus.REVIEW)
        .select_related("town")
        .prefetch_related(Prefetch("villages", queryset=Village.objects.order_by("code")))
        .annotate(total_investment=_total_investment())
        .order_by("created_at", "pk")
    )
    standings = review_round_standings(projects)
    return [(project, standings[project.pk]) for project in projects]


# --- One project's page -------------------------------------------------------------------------------------------


def project_detail_queryset(user: Actor, access: Access = Access.VIEW) -> QuerySet[IndustryProject]:
    return projects_scope(user, access).select_related(
        "town", "park", "operator_enterprise", "operator_household__village", "created_by"
    )


def project_investments(*, project: IndustryProject) -> tuple[list[Investment], Decimal]:
    investments = list(project.investments.select_related("allocation").order_by("pk"))
    return investments, sum((i.amount for i in investments), ZERO)


def project_status_changes(*, project: IndustryProject) -> QuerySet[StatusChange]:
    return project.status_changes.select_related("changed_by").order_by("recorded_at", "pk")


@dataclass
class ReviewRound:
    number: int
    opinions: list[ReviewOpinion]
    # Only for the round under review now: the members not yet heard.
    missing: list[ReviewDepartment] = field(default_factory=list)


def project_review_rounds(*, project: IndustryProject) -> list[ReviewRound]:
    """Every round of the project's review, newest first, with every opinion recorded in it."""
    by_round: dict[int, list[ReviewOpinion]] = defaultdict(list)
    for opinion in project.review_opinions.select_related("department", "recorded_by").order_by(
        "review_round", "department__sort_order", "department__name"
    ):
        by_round[opinion.review_round].append(opinion)
    rounds = []
    for number in range(project.review_round, 0, -1):
        missing = []
        if number == project.review_round and project.status == ProjectStatus.REVIEW:
            missing = review_round_standing(project=project).missing
        rounds.append(ReviewRound(number=number, opinions=by_round.get(number, []), missing=missing))
    return rounds


def project_publicities(*, project: IndustryProject) -> list[Publicity]:
    objections = Objection.objects.select_related("answered_by", "recorded_by").order_by("received_on", "pk")
    return list(
        project.publicities.select_related("published_by")
        .prefetch_related(Prefetch("objections", queryset=objections))
        .order_by("-starts_on", "-pk")
    )


# --- The public page: plain values of what is published -----------------------------------------------------------


@dataclass(frozen=True)
class PublicNotice:
    """A project under publicity, as the public sees it."""

    code: str
    name: str
    category: str
    town: str
    villages: list[str]
    content: str
    scale: str
    planned_completion: dt.date
    total_investment: Decimal
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class PublicVillageShare:
    village: str
    amount: Decimal


@dataclass(frozen=True)
class PublicIncomeYear:
    year: int
    income: Decimal
    villages: list[PublicVillageShare]
    households: int
    households_amount: Decimal
    household_names: list[str]  # masked: 王**


@dataclass(frozen=True)
class PublicIncomeProject:
    code: str
    name: str
    category: str
    town: str
    villages: list[str]
    years: list[PublicIncomeYear]


def _village_names(project_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        IndustryProject.villages.through.objects.filter(industryproject_id__in=project_ids)
        .order_by("village__code")
        .values_list("industryproject_id", "village__name")
    )
    for project_id, village in rows:
        names[project_id].append(village)
    return names


def _latest_publicity() -> Subquery:
    return Subquery(
        Publicity.objects.filter(project=OuterRef("project")).order_by("-starts_on", "-pk").values("pk")[:1]
    )


def public_notices(*, today: dt.date, page: str | int | None, per_page: int = 25) -> Page:
    """The projects under publicity today (their latest publicity runs today), newest first: a page of
    ``PublicNotice``."""
    publicities = (
        Publicity.objects.filter(
            starts_on__lte=today, ends_on__gte=today, project__status=ProjectStatus.PUBLICITY, pk=_latest_publicity()
        )
        .order_by("-starts_on", "project__code")
        .values(
            "project_id",
            "project__code",
            "project__name",
            "project__category",
            "project__town__name",
            "content",
            "scale",
            "planned_completion",
            "total_investment",
            "starts_on",
            "ends_on",
        )
    )
    result = Paginator(publicities, per_page).get_page(page)
    villages = _village_names([row["project_id"] for row in result.object_list])
    notices = [
        PublicNotice(
            code=row["project__code"],
            name=row["project__name"],
            category=_category_label(row["project__category"]),
            town=row["project__town__name"],
            villages=villages.get(row["project_id"], []),
            content=row["content"],
            scale=row["scale"],
            planned_completion=row["planned_completion"],
            total_investment=row["total_investment"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
        )
        for row in result.object_list
    ]
    # The page's rows become the notices built from them; django-stubs gives a Page the items of its Paginator.
    result.object_list = notices  # type: ignore[assignment]
    return result


def _category_label(value: str) -> str:
    return str(Category(value).label) if value in Category.values else value


def public_income(*, page: str | int | None, per_page: int = 25) -> Page:
    """Operating projects and the distribution of their income by year (the year the income was received): a page
    of ``PublicIncomeProject``, in a fixed number of queries. Households appear as a count, an amount and masked
    names; nothing else of a person leaves this function."""
    projects = (
        IndustryProject.objects.filter(status=ProjectStatus.OPERATING)
        .order_by("town__code", "code")
        .values("pk", "code", "name", "category", "town__name")
    )
    result = Paginator(projects, per_page).get_page(page)
    ids = [row["pk"] for row in result.object_list]
    villages = _village_names(ids)

    income: dict[tuple[int, int], Decimal] = {}
    for row in (
        IncomeRecord.objects.filter(project_id__in=ids)
        .annotate(year=ExtractYear("received_on"))
        .order_by()
        .values("project_id", "year")
        .annotate(total=Sum("amount"))
    ):
        income[(row["project_id"], row["year"])] = row["total"]

    distributions = IncomeDistribution.objects.filter(income__project_id__in=ids).annotate(
        year=ExtractYear("income__received_on")
    )
    to_villages: dict[tuple[int, int], list[PublicVillageShare]] = defaultdict(list)
    for row in (
        distributions.filter(village__isnull=False)
        .order_by()
        .values("income__project_id", "year", "village__name", "village__code")
        .annotate(total=Sum("amount"))
        .order_by("village__code")
    ):
        key = (row["income__project_id"], row["year"])
        to_villages[key].append(PublicVillageShare(village=row["village__name"], amount=row["total"]))

    to_households: dict[tuple[int, int], dict] = {}
    head = Member.objects.filter(household=OuterRef("household_id"), relation=Relation.HEAD).order_by("pk")
    for row in (
        distributions.filter(household__isnull=False)
        .order_by()
        .values("income__project_id", "year", "household_id")
        .annotate(total=Sum("amount"), head=Subquery(head.values("name")[:1]))
        .order_by("household_id")
    ):
        key = (row["income__project_id"], row["year"])
        entry = to_households.setdefault(key, {"count": 0, "amount": ZERO, "names": []})
        entry["count"] += 1
        entry["amount"] += row["total"]
        entry["names"].append(mask_name(row["head"] or ""))

    projects_shown = [
        PublicIncomeProject(
            code=row["code"],
            name=row["name"],
            category=_category_label(row["category"]),
            town=row["town__name"],
            villages=villages.get(row["pk"], []),
            years=[
                PublicIncomeYear(
                    year=year,
                    income=income.get((row["pk"], year), ZERO),
                    villages=to_villages.get((row["pk"], year), []),
                    households=to_households.get((row["pk"], year), {}).get("count", 0),
                    households_amount=to_households.get((row["pk"], year), {}).get("amount", ZERO),
                    household_names=to_households.get((row["pk"], year), {}).get("names", []),
                )
                for year in sorted(
                    {y for (p, y) in income if p == row["pk"]}
                    | {y for (p, y) in to_villages if p == row["pk"]}
                    | {y for (p, y) in to_households if p == row["pk"]},
                    reverse=True,
                )
            ],
        )
        for row in result.object_list
    ]
    # The page's rows become the projects built from them (see public_notices).
    result.object_list = projects_shown  # type: ignore[assignment]
    return result
