"""The fixed choices of the funds records: units and hops of the chain, and the statuses of each record.

They live apart from the models so that ``funds.rules`` can name a hop without importing the models,
which themselves call the rules to compute their deadlines.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Unit(models.TextChoices):
    DISTRICT_FINANCE = "district_finance", _("District finance bureau")
    TOWN_FINANCE = "town_finance", _("Town finance office")
    STATION = "station", _("Town economic management station")
    VILLAGE = "village", pgettext_lazy("unit of the chain", "Village")


class Hop(models.TextChoices):
    TO_TOWN = "to_town", _("District finance bureau → town finance office")
    TO_STATION = "to_station", _("Town finance office → economic management station")
    TO_VILLAGE = "to_village", _("Economic management station → village")


SENDER = {Hop.TO_TOWN: Unit.DISTRICT_FINANCE, Hop.TO_STATION: Unit.TOWN_FINANCE, Hop.TO_VILLAGE: Unit.STATION}
RECEIVER = {Hop.TO_TOWN: Unit.TOWN_FINANCE, Hop.TO_STATION: Unit.STATION, Hop.TO_VILLAGE: Unit.VILLAGE}


class PaymentRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class LoanStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, awaiting the bank's decision")
    APPROVED = "approved", _("Approved, awaiting disbursement")
    REJECTED = "rejected", _("Rejected")
    DISBURSED = "disbursed", _("Disbursed, being repaid")
    SETTLED = "settled", _("Repaid in full")


class RepaymentInterval(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    AT_MATURITY = "maturity", _("Whole principal at maturity")


class RiskBand(models.IntegerChoices):
    """Days the oldest unpaid instalment is overdue, in the bands of the risk warning."""

    NONE = 0, _("No overdue instalment of 30 days")
    OVERDUE_30 = 30, _("Overdue 30 days or more")
    OVERDUE_60 = 60, _("Overdue 60 days or more")
    OVERDUE_90 = 90, _("Overdue 90 days or more")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted, awaiting the district office")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for correction")
