"""Every indicator of the application, defined once (``reporting.indicators.base.Indicator``), by domain.

``INDICATORS`` is what the summary build computes, the dashboards and the monthly report show and the tests check.
"""

from reporting.indicators.audits import AUDITS_INDICATORS
from reporting.indicators.base import Indicator, Period, Registry
from reporting.indicators.funds import FUNDS_INDICATORS
from reporting.indicators.households import HOUSEHOLDS_INDICATORS
from reporting.indicators.partners import PARTNERS_INDICATORS
from reporting.indicators.projects import PROJECTS_INDICATORS

INDICATORS = Registry()
INDICATORS.add(
    *HOUSEHOLDS_INDICATORS, *FUNDS_INDICATORS, *PROJECTS_INDICATORS, *AUDITS_INDICATORS, *PARTNERS_INDICATORS
)

__all__ = ["INDICATORS", "Indicator", "Period"]
