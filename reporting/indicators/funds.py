"""Figures of the funds domain."""

from reporting.indicators.base import Indicator

FUNDS_INDICATORS: tuple[Indicator, ...] = ()
