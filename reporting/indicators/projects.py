"""Figures of the projects domain."""

from reporting.indicators.base import Indicator

PROJECTS_INDICATORS: tuple[Indicator, ...] = ()
