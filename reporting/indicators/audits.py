"""Figures of the rectification ledger and the supervision that follows it up (points 18 to 20).

Every figure is a town's at the finest (an item's village is optional, orders and interviews have none) and as of one
day (``Period.counted_on``): the month's last day, or today while the month runs. An item counts from the day it was
raised (``raised_at``); it is closed off on that day if it is closed now and was closed by then (``closed_on``), or was
closed by then and found rebounded only after it (its look-back's clock starts on the close-off); it was reopened by
then if a look-back found it rebounded by then (reopening is a look-back's doing only). An item's deadline is the one
it has now. Orders count in the year of the day by the day they were issued, interviews by the day they were held.

``records`` opens the ledger by town with its status, overdue and reopened filters, the supervision orders by town
and the days issued, the interviews by town and the days held. The ledger shows its items as they are now: a past
month's drill-down lists today's state of the items raised by then.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from audits.choices import ItemStatus, LookBackOutcome
from audits.models import Interview, LookBack, RectificationItem, SupervisionOrder
from audits.selectors.ledger import NOT_CLOSED, REOPENED, Overdue
from organisation.roles import Level
from reporting.choices import Aggregation, Domain, FigureUnit
from reporting.indicators.base import Indicator, Period, Rows, grouped

POINT_LEDGER = "20"
POINT_SUPERVISION = "18"

Records = Callable[[Level, int, Period], str | None]


def _list_url(name: str, level: Level, unit_id: int, **filters) -> str | None:
    """The list ``name`` of the unit (the whole district, a town); None below a town (the lists have no village
    filter, and these figures are towns')."""
    if level == Level.VILLAGE:
        return None
    where = {"town": unit_id} if level == Level.TOWN else {}
    query = urlencode({**where, **{key: value for key, value in filters.items() if value}})
    return f"{reverse(name)}?{query}" if query else reverse(name)


# --- The ledger (point 20) ------------------------------------------------------------------------------------------


def _raised(day: dt.date) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.filter(raised_at__date__lte=day)


def _closed_by(day: dt.date) -> Q:
    """Closed off on ``day``: closed now and since then, or closed then and found rebounded after it (a look-back
    starts its clock on the day of the close-off it checks, and reopening clears ``closed_on``)."""
    rebounded_later = LookBack.objects.filter(
        item=OuterRef("pk"), outcome=LookBackOutcome.REBOUND, clock_start__lte=day, done_on__gt=day
    )
    return Q(status=ItemStatus.CLOSED, closed_on__lte=day) | Q(Exists(rebounded_later))


def _items_total(period: Period) -> Rows:
    return grouped(_raised(period.counted_on), "town_id")


def _items_open(period: Period) -> Rows:
    day = period.counted_on
    return grouped(_raised(day).exclude(_closed_by(day)), "town_id")


def _items_overdue(period: Period) -> Rows:
    """Not closed off by the day and past their due day (the ledger's rule, ``audits.selectors.ledger``)."""
    day = period.counted_on
    return grouped(_raised(day).exclude(_closed_by(day)).filter(due_date__lt=day), "town_id")


def _items_closed(period: Period) -> Rows:
    day = period.counted_on
    return grouped(_raised(day).filter(_closed_by(day)), "town_id")


def _items_reopened(period: Period) -> Rows:
    day = period.counted_on
    rebounded = LookBack.objects.filter(item=OuterRef("pk"), outcome=LookBackOutcome.REBOUND, done_on__lte=day)
    return grouped(_raised(day).filter(Exists(rebounded)), "town_id")


def _ledger_records(**filters) -> Records:
    def records(level: Level, unit_id: int, period: Period) -> str | None:
        return _list_url("audits:item_list", level, unit_id, **filters)

    return records


# --- Supervision (point 18) -----------------------------------------------------------------------------------------


def _orders(period: Period) -> Rows:
    orders = SupervisionOrder.objects.filter(clock_start__gte=period.year_start, clock_start__lte=period.counted_on)
    return grouped(orders, "town_id")


def _orders_records(level: Level, unit_id: int, period: Period) -> str | None:
    return _list_url(
        "audits:order_list",
        level,
        unit_id,
        issued_from=period.year_start.isoformat(),
        issued_to=period.counted_on.isoformat(),
    )


def _interviews(period: Period) -> Rows:
    return grouped(Interview.objects.filter(held_on__gte=period.year_start, held_on__lte=period.counted_on), "town_id")


def _interviews_records(level: Level, unit_id: int, period: Period) -> str | None:
    return _list_url(
        "audits:interview_list",
        level,
        unit_id,
        held_from=period.year_start.isoformat(),
        held_to=period.counted_on.isoformat(),
    )


AUDITS_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="ledger_items_total",
        name=_("Rectification items raised"),
        unit=FigureUnit.ITEMS,
        domain=Domain.AUDITS,
        point=POINT_LEDGER,
        definition=_("Items entered in the rectification ledger by the day the figures are as of."),
        compute=_items_total,
        finest=Level.TOWN,
        records=_ledger_records(),
    ),
    Indicator(
        code="ledger_items_open",
        name=_("Rectification items open"),
        unit=FigureUnit.ITEMS,
        domain=Domain.AUDITS,
        point=POINT_LEDGER,
        definition=_(
            "Items of the ledger not closed off on that day: being rectified, or waiting for their close-off to be "
            "verified."
        ),
        compute=_items_open,
        finest=Level.TOWN,
        records=_ledger_records(status=NOT_CLOSED),
    ),
    Indicator(
        code="ledger_items_overdue",
        name=_("Rectification items overdue"),
        unit=FigureUnit.ITEMS,
        domain=Domain.AUDITS,
        point=POINT_LEDGER,
        definition=_("Items not closed off by the end of their time limit, on that day."),
        compute=_items_overdue,
        finest=Level.TOWN,
        records=_ledger_records(overdue=Overdue.YES.value),
        should_be_zero=True,
    ),
    Indicator(
        code="ledger_items_closed",
        name=_("Rectification items closed off"),
        unit=FigureUnit.ITEMS,
        domain=Domain.AUDITS,
        point=POINT_LEDGER,
        definition=_("Items closed off (销号) on that day: closed by then and not reopened by then."),
        compute=_items_closed,
        finest=Level.TOWN,
        records=_ledger_records(status=ItemStatus.CLOSED.value),
    ),
    Indicator(
        code="ledger_items_reopened",
        name=_("Rectification items reopened"),
        unit=FigureUnit.ITEMS,
        domain=Domain.AUDITS,
        point=POINT_LEDGER,
        definition=_("Items a look-back (回头看) found rebounded and reopened, by that day."),
        compute=_items_reopened,
        finest=Level.TOWN,
        records=_ledger_records(reopened=REOPENED),
    ),
    Indicator(
        code="ledger_rectification_rate",
        name=_("Rectification rate"),
        unit=FigureUnit.PERCENT,
        domain=Domain.AUDITS,
        point=POINT_LEDGER,
        definition=_("Items closed off, in percent of the items raised (整改完成率)."),
        finest=Level.TOWN,
        aggregation=Aggregation.RATIO,
        ratio_of=("ledger_items_closed", "ledger_items_total"),
    ),
    Indicator(
        code="supervision_orders",
        name=_("Supervision orders issued this year"),
        unit=FigureUnit.ITEMS,
        domain=Domain.AUDITS,
        point=POINT_SUPERVISION,
        definition=_("Supervision orders (督办单) issued to towns from the start of the year to that day."),
        compute=_orders,
        finest=Level.TOWN,
        records=_orders_records,
    ),
    Indicator(
        code="interviews",
        name=_("Interviews held this year"),
        unit=FigureUnit.ITEMS,
        domain=Domain.AUDITS,
        point=POINT_SUPERVISION,
        definition=_("Interviews (约谈) held with those responsible from the start of the year to that day."),
        compute=_interviews,
        finest=Level.TOWN,
        records=_interviews_records,
    ),
)
