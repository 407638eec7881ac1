"""Reads of the household file: the list of households a user may see, searched and filtered."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from households.choices import HouseholdStatus, PovertyCause, Relation
from households.models import Household, Member
from households.permissions import households_scope
from households.selectors.as_of import (
    HOUSEHOLD_CHANGE_BY_CODE,
    HOUSEHOLD_FLAG_BY_CODE,
    HOUSEHOLD_FLAGS,
    STATUS_ON,
    STATUS_OUT,
    households_on,
    status_in,
    statuses_of,
    with_status_on,
)
from organisation.actors import Actor


def household_list(
    *,
    user: Actor,
    query: str = "",
    town_id: int | None = None,
    village_id: int | None = None,
    status: str = "",
    cause: str = "",
    on: dt.date | None = None,
    flags: Iterable[str] = (),
    change: str = "",
    month: dt.date | None = None,
) -> QuerySet[Household]:
    """The households the user may see matching the search (file number, head's name or full ID number) and the
    filters, by file number: the list page's households and what its export writes.

    ``on`` lists the register as of that day (``households.selectors.as_of``): the households registered by then,
    ``status`` (a status, or ``as_of.STATUS_OUT`` for both out of poverty) read on that day; ``flags`` (codes of
    ``as_of.HOUSEHOLD_FLAGS``) are judged on ``on`` or today; ``change`` (a code of ``as_of.HOUSEHOLD_CHANGES``)
    keeps the households that changed so within ``month``."""
    households = households_scope(user).select_related("village__town")
    if query:
        households = households.filter(
            Q(file_number__icontains=query)
            | Q(members__name__icontains=query, members__relation=Relation.HEAD)
            | Q(members__id_number=query.upper())
        ).distinct()
    if town_id is not None:
        households = households.filter(village__town_id=town_id)
    if village_id is not None:
        households = households.filter(village_id=village_id)
    day = on or timezone.localdate()
    chosen = [HOUSEHOLD_FLAG_BY_CODE[code] for code in flags if code in HOUSEHOLD_FLAG_BY_CODE]
    if on is not None:
        households = households_on(households, on)
    if status and on is not None:
        households = households.filter(status_in(statuses_of(status), on))
    elif status:
        households = households.filter(status__in=statuses_of(status))
    if cause:
        households = households.filter(main_cause=cause)
    for flag in chosen:
        households = households.filter(flag.condition(day))
    if month is not None and change in HOUSEHOLD_CHANGE_BY_CODE:
        households = households.filter(HOUSEHOLD_CHANGE_BY_CODE[change].condition(month))
    return households.order_by("file_number")


def household_statuses_on(households: Iterable[Household], on: dt.date) -> dict[int, str]:
    """The status of each of ``households`` (a page of the list) on ``on``, by id."""
    ids = [household.pk for household in households]
    return dict(with_status_on(Household.objects.filter(pk__in=ids), on).values_list("pk", STATUS_ON))


def member_count(household_ref: str = "pk") -> Subquery:
    """The number of members of the household ``household_ref`` (an outer reference), as a subquery: what the list
    sorts by when asked to (and its export), never computed for the whole register just to show one page."""
    sizes = (
        Member.objects.filter(household=OuterRef(household_ref))
        .order_by()
        .values("household")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(sizes)


def household_list_rows(*, user: Actor, by_member_count: bool = False, **filters) -> QuerySet[Household]:
    """The list page's rows (``household_list``), each with its head (``heads``); ``member_count`` is there as an
    alias to order by only when ``by_member_count`` (``household_member_counts`` gives a page's counts)."""
    heads = Member.objects.filter(relation=Relation.HEAD)
    households = household_list(user=user, **filters).prefetch_related(
        Prefetch("members", queryset=heads, to_attr="heads")
    )
    return households.alias(member_count=member_count()) if by_member_count else households


def household_member_counts(households: Iterable[Household]) -> dict[int, int]:
    """The member count of each of ``households`` (a page of the list), by id: one grouped query over their members,
    where counting in the list's own query would join and group every member in reach before taking the page."""
    ids = [household.pk for household in households]
    counts = Member.objects.filter(household_id__in=ids).order_by().values("household_id").annotate(n=Count("pk"))
    found = {row["household_id"]: row["n"] for row in counts}
    return {pk: found.get(pk, 0) for pk in ids}


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _month(value: str) -> dt.date | None:
    """A month given as YYYY-MM (what ``<input type="month">`` sends), as its first day."""
    return _day(f"{value.strip()}-01") if len(value.strip()) == len("YYYY-MM") else None


def household_filters(params) -> dict:
    """The list's search and filters from its query string, as ``household_list`` takes them; a value that does not
    parse is ignored."""
    town, village, status = params.get("town", ""), params.get("village", ""), params.get("status", "")
    cause, change = params.get("cause", ""), params.get("change", "")
    return {
        "query": params.get("q", "").strip(),
        "town_id": int(town) if town.isdigit() else None,
        "village_id": int(village) if village.isdigit() else None,
        "status": status if status in (*HouseholdStatus.values, STATUS_OUT) else "",
        "cause": cause if cause in PovertyCause.values else "",
        "on": _day(params.get("on", "")),
        "flags": [flag.code for flag in HOUSEHOLD_FLAGS if params.get(flag.code) == "1"],
        "change": change if change in HOUSEHOLD_CHANGE_BY_CODE else "",
        "month": _month(params.get("month", "")),
    }
