"""Reads of the rectification ledger: the scoped, filtered list (the page and the Excel export), an item's parts, and
the scorecards per town and for the district.

Every queryset starts from ``audits_scope``. An item is overdue from the day after its due date while it is not
closed off (the due day runs to 24:00 Beijing time).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.aggregates import StringAgg
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits import rules
from audits.choices import Category, ItemStatus, Source
from audits.models import Interview, LookBack, Measure, ProgressNote, RectificationItem, SupervisionOrder
from audits.permissions import audits_scope
from organisation.actors import Actor
from organisation.models import Town, Village
from organisation.scoping import Access, towns_for


class Overdue(models.TextChoices):
    YES = "yes", _("Overdue")
    NO = "no", _("Not overdue")


# The status filter's one value that is not a status: every item not closed off (being rectified, or waiting for its
# close-off to be verified).
NOT_CLOSED = "not_closed"
# The reopened filter's value: items a look-back found rebounded at least once.
REOPENED = "yes"


def _overdue(today: dt.date) -> Q:
    return ~Q(status=ItemStatus.CLOSED) & Q(due_date__lt=today)


def item_filter(
    items: QuerySet[RectificationItem],
    *,
    source: str = "",
    category: str = "",
    town: Town | None = None,
    status: str = "",
    overdue: str = "",
    reopened: str = "",
    query: str = "",
    village: Village | None = None,
) -> QuerySet[RectificationItem]:
    """``items`` narrowed by the ledger's filters (a value not among the choices does not filter)."""
    if source in Source.values:
        items = items.filter(source=source)
    if category in Category.values:
        items = items.filter(category=category)
    if town is not None:
        items = items.filter(town=town)
    if village is not None:
        items = items.filter(village=village)
    if status in ItemStatus.values:
        items = items.filter(status=status)
    elif status == NOT_CLOSED:
        items = items.exclude(status=ItemStatus.CLOSED)
    if reopened == REOPENED:
        items = items.filter(reopened_count__gt=0)
    if overdue == Overdue.YES:
        items = items.filter(_overdue(timezone.localdate()))
    elif overdue == Overdue.NO:
        items = items.exclude(_overdue(timezone.localdate()))
    if query := query.strip():
        condition = (
            Q(description__icontains=query)
            | Q(responsible_unit__icontains=query)
            | Q(responsible_person__icontains=query)
            | Q(source_reference__icontains=query)
            | Q(village__name__icontains=query)
        )
        if number := rules.item_number_parse(query):
            condition |= Q(year=number[0], sequence=number[1])
        items = items.filter(condition)
    return items


def _latest_progress() -> Subquery:
    notes = ProgressNote.objects.filter(measure__item=OuterRef("pk")).order_by("-written_at", "-pk")
    return Subquery(notes.values("text")[:1])


def item_list(
    *,
    user: Actor,
    source: str = "",
    category: str = "",
    town: Town | None = None,
    status: str = "",
    overdue: str = "",
    reopened: str = "",
    query: str = "",
    village: Village | None = None,
) -> QuerySet[RectificationItem]:
    """The ledger's rows the user sees, filtered, newest first, each with its town, village and measures: a constant
    number of queries whatever the page holds (the page's latest progress notes: :func:`latest_progress_attach`)."""
    items = item_filter(
        audits_scope(user, Access.VIEW),
        source=source,
        category=category,
        town=town,
        status=status,
        overdue=overdue,
        reopened=reopened,
        query=query,
        village=village,
    )
    return (
        items.select_related("town", "village")
        .prefetch_related(models.Prefetch("measures", queryset=Measure.objects.order_by("due_on", "pk")))
        .order_by("-year", "-sequence")
    )


def latest_progress_attach(items: list[RectificationItem]) -> None:
    """Set ``latest_progress`` (the text of the newest progress note, or None) on each of a page's items, in one
    query: read for the page only, not for every row an offset skips."""
    notes = (
        ProgressNote.objects.filter(measure__item__in=[item.pk for item in items])
        .order_by("measure__item", "-written_at", "-pk")
        .distinct("measure__item")
        .values_list("measure__item", "text")
    )
    latest = dict(notes)
    for item in items:
        item.latest_progress = latest.get(item.pk)  # type: ignore[attr-defined]


def ledger_export_rows(items: QuerySet[RectificationItem]) -> QuerySet:
    """The Excel ledger's values of ``items`` (already scoped and filtered), one dict per item: measures joined one a
    line, the latest progress note; read in one query, streamed."""
    measures = (
        Measure.objects.filter(item=OuterRef("pk"))
        .values("item")
        .annotate(text=StringAgg("description", delimiter="\n", order_by=("due_on", "pk")))
        .values("text")
    )
    # The list's joins and prefetches serve its page's objects, not these values.
    items = items.prefetch_related(None).select_related(None)
    return (
        items.annotate(measures_text=Subquery(measures), latest_progress=_latest_progress())
        .order_by("-year", "-sequence")
        .values(
            "year",
            "sequence",
            "source",
            "source_reference",
            "category",
            "town__name",
            "village__name",
            "description",
            "measures_text",
            "responsible_unit",
            "responsible_person",
            "due_date",
            "latest_progress",
            "status",
            "closed_on",
        )
    )


# --- One item's parts ---------------------------------------------------------------------------------------------


def item_measures(*, item: RectificationItem) -> list[Measure]:
    """The item's measures, each with its progress notes and their writers (two queries)."""
    notes = ProgressNote.objects.select_related("written_by").order_by("written_at", "pk")
    return list(
        item.measures.select_related("owner_user")
        .prefetch_related(models.Prefetch("notes", queryset=notes))
        .order_by("due_on", "pk")
    )


def item_look_backs(*, item: RectificationItem) -> list[LookBack]:
    return list(item.look_backs.select_related("done_by").order_by("due_date", "pk"))


def look_back_pending(*, item: RectificationItem) -> LookBack | None:
    return item.look_backs.filter(outcome="").first()


# --- Scorecards ---------------------------------------------------------------------------------------------------


@dataclass
class Scorecard:
    """One town's (or the district's) ledger figures of a year."""

    name: str
    total: int = 0
    open: int = 0
    overdue: int = 0
    closed_on_time: int = 0
    closed_late: int = 0
    reopened: int = 0
    orders: int = 0
    interviews: int = 0
    town: Town | None = field(default=None, repr=False)

    @property
    def closed(self) -> int:
        return self.closed_on_time + self.closed_late

    @property
    def rectification_rate(self) -> Decimal | None:
        return rules.rectification_rate(closed=self.closed, total=self.total)

    @property
    def rebound_rate(self) -> Decimal | None:
        return rules.rebound_rate(reopened=self.reopened, closed=self.closed)


FIGURES = ("total", "open", "overdue", "closed_on_time", "closed_late", "reopened", "orders", "interviews")


def _count_of(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("town").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def item_scorecards(*, user: Actor, year: int) -> tuple[list[Scorecard], Scorecard]:
    """Per town the user sees, and for them all (the district's row): the items raised in ``year`` open, overdue,
    closed on time, closed late and reopened, the rates, and the supervision orders and interviews of the year. One
    query."""
    today = timezone.localdate()
    raised = Q(ledger_items__year=year)
    closed = Q(ledger_items__status=ItemStatus.CLOSED)
    towns = (
        towns_for(user, Access.VIEW)
        .order_by("code")
        .annotate(
            n_total=Count("ledger_items", filter=raised),
            n_open=Count("ledger_items", filter=raised & ~closed),
            n_overdue=Count("ledger_items", filter=raised & ~closed & Q(ledger_items__due_date__lt=today)),
            n_closed_on_time=Count("ledger_items", filter=raised & closed & Q(ledger_items__closed_late=False)),
            n_closed_late=Count("ledger_items", filter=raised & closed & Q(ledger_items__closed_late=True)),
            n_reopened=Count("ledger_items", filter=raised & Q(ledger_items__reopened_count__gt=0)),
            n_orders=_count_of(SupervisionOrder.objects.filter(town=OuterRef("pk"), year=year)),
            n_interviews=_count_of(Interview.objects.filter(town=OuterRef("pk"), held_on__year=year)),
        )
    )
    cards = [
        Scorecard(name=town.name, town=town, **{name: getattr(town, f"n_{name}") for name in FIGURES})
        for town in towns
    ]
    district = Scorecard(name=str(_("Whole district")))
    for card in cards:
        for name in FIGURES:
            setattr(district, name, getattr(district, name) + getattr(card, name))
    return cards, district
