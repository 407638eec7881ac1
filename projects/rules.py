"""The yield rule of point 4, in one place: what a project's yield is, how it is shown, and how it is classified.

Yield for a period = the income received in the period / the project's total investment.

- Income that counts: the income records whose ``received_on`` falls in the period. The day the money arrived
  is what the collective actually has; the period an operator says a payment is "for" is shown beside each
  record, but a payment for last year made this year (or rent paid a year ahead) is money of the year it came.
  It also makes the sum a plain range scan of the ``(project, received_on)`` index.
- Total investment: the sum of the project's investments made by the end of the period; an investment with no
  date counts throughout. So a remedy that adds investment raises the denominator from the year it was made,
  and the years before it are judged on what had been invested then.
- The floor is 6% and is met by a yield of exactly 6%: the comparison is ``income >= investment * 6%`` in exact
  decimal arithmetic, never on a rounded rate.

A rate is a fraction (0.06 is 6%) kept to 6 decimals like ``YieldAssessment.yield_rate``; a page shows it as a
percentage with two decimals, rounded half up. So a weak 5.996% reads "6.00%": the classification, not the
rounded figure, says whether the floor is met.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from organisation.periods import MONTHS_IN_YEAR
from projects.models import YieldClass

YIELD_FLOOR = Decimal("0.06")
RATE_PLACES = Decimal("0.000001")
PERCENT_PLACES = Decimal("0.01")
NO_INVESTMENT_MESSAGE = _("No investment recorded: the yield cannot be computed.")


def yield_rate(income: Decimal, investment: Decimal | None) -> Decimal | None:
    """``income / investment`` as a fraction rounded half up to 6 decimals; ``None`` without investment."""
    if not investment or investment <= 0:
        return None
    return (Decimal(income) / Decimal(investment)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def yield_percent(rate: Decimal | None) -> str:
    """A rate as a percentage with two decimals ("6.00%"); the clear message when there is no rate."""
    if rate is None:
        return str(NO_INVESTMENT_MESSAGE)
    return f"{(rate * 100).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)}%"


def classify(
    income: Decimal,
    investment: Decimal | None,
    agreed_annual_income: Decimal | None,
    months: int = MONTHS_IN_YEAR,
) -> YieldClass:
    """The class of a project whose ``months``-month period brought ``income`` on ``investment``.

    In order: no investment (no yield to judge); no income at all (idle, "dormant"); an operator who agreed an
    annual income and paid less than its share for the period (struggling: in arrears, whatever the yield);
    a yield below 6% (weak); otherwise the floor is met.
    """
    if not investment or investment <= 0:
        return YieldClass.NO_INVESTMENT
    if income <= 0:
        return YieldClass.IDLE
    # income < agreed * months / 12, multiplied out so that it stays exact.
    if agreed_annual_income and income * MONTHS_IN_YEAR < agreed_annual_income * months:
        return YieldClass.STRUGGLING
    if income < investment * YIELD_FLOOR:
        return YieldClass.WEAK
    return YieldClass.MEETING
