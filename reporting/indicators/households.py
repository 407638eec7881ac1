"""Figures of the household file (points 7-11, 19)."""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from households.models import Household
from organisation.roles import Level
from reporting.choices import Domain, FigureUnit
from reporting.indicators.base import Indicator, Period, Rows


def _registered(period: Period) -> Rows:
    return (
        Household.objects.filter(created_at__date__lte=period.as_of)
        .values_list("village_id")
        .annotate(count=Count("id"))
        .values_list("village_id", "count")
    )


def _household_list(level: Level, unit_id: int, period: Period, **filters) -> str:
    where = {Level.TOWN: {"town": unit_id}, Level.VILLAGE: {"village": unit_id}}.get(level, {})
    return f"{reverse('households:household_list')}?{urlencode({**where, **filters})}"


HOUSEHOLDS_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="households_registered",
        name=_("Registered households"),
        unit=FigureUnit.HOUSEHOLDS,
        domain=Domain.HOUSEHOLDS,
        point="7",
        definition=_("Households in the register at the end of the month, whatever their status."),
        compute=_registered,
        records=lambda level, unit_id, period: _household_list(level, unit_id, period),
    ),
)
