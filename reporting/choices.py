"""Enums of the figures that both the indicator definitions and the tables need."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FigureUnit(models.TextChoices):
    """What a figure counts, shown after it ("1,234 户")."""

    HOUSEHOLDS = "households", pgettext_lazy("unit of a figure", "households")
    PEOPLE = "people", pgettext_lazy("unit of a figure", "people")
    YUAN = "yuan", pgettext_lazy("unit of a figure", "yuan")
    PERCENT = "percent", pgettext_lazy("unit of a figure", "%")
    ITEMS = "items", pgettext_lazy("unit of a figure", "items")
    PROJECTS = "projects", pgettext_lazy("unit of a figure", "projects")
    TOWNS = "towns", pgettext_lazy("unit of a figure", "towns")
    VILLAGES = "villages", pgettext_lazy("unit of a figure", "villages")
    DAYS = "days", pgettext_lazy("unit of a figure", "days")
    HOURS = "hours", pgettext_lazy("unit of a figure", "hours")


class Domain(models.TextChoices):
    HOUSEHOLDS = "households", _("Households")
    FUNDS = "funds", _("Funds")
    PROJECTS = "projects", _("Projects")
    AUDITS = "audits", _("Rectification")
    PARTNERS = "partners", _("People and partners")


class Aggregation(models.TextChoices):
    """How a figure of a lower level makes the figure of the level above."""

    SUM = "sum", _("Sum of the units below")
    MAX = "max", _("Largest of the units below")
    # numerator / denominator x 100, each summed first: never an average of percentages.
    RATIO = "ratio", _("Ratio of two sums")
