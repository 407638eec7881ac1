"""Figures of the audits domain."""

from reporting.indicators.base import Indicator

AUDITS_INDICATORS: tuple[Indicator, ...] = ()
