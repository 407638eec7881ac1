"""The forms of the monthly work reports: the request (month, unit, money unit) and the list's filters."""

import datetime as dt

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from organisation.forms import filter_field, styled
from reporting.models import MoneyUnit
from reporting.selectors.reports import report_months

DISTRICT = "district"


def month_value(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def month_of(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


def month_choices() -> list[tuple[str, str]]:
    return [
        (month_value(month), formats.date_format(month, "YEAR_MONTH_FORMAT"))
        for month in report_months(timezone.localdate())
    ]


class WorkReportRequestForm(forms.Form):
    """Which report to make: a month, and the district's own report or a town's (those the user may have made)."""

    month = styled(forms.ChoiceField(label=_("month")))
    unit = styled(forms.ChoiceField(label=_("Reporting unit")))
    money_unit = styled(forms.ChoiceField(label=_("money unit"), choices=MoneyUnit.choices))

    def __init__(self, *args, towns, district: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.towns = {str(town.pk): town for town in towns}
        self.fields["month"].choices = month_choices()
        self.fields["unit"].choices = [(DISTRICT, _("The district (one row per town)"))] if district else []
        self.fields["unit"].choices += [(pk, town.name) for pk, town in self.towns.items()]

    def clean(self):
        data = super().clean()
        data["month"] = month_of(data.get("month", ""))
        unit = data.pop("unit", None)
        data["town"] = self.towns.get(unit) if unit and unit != DISTRICT else None
        return data


class WorkReportFilterForm(forms.Form):
    """The list's filters; a value that does not parse does not filter."""

    q = filter_field(forms.CharField(label=_("Search"), max_length=100))
    month = filter_field(forms.ChoiceField(label=_("month")))
    unit = filter_field(forms.ChoiceField(label=_("Reporting unit")))

    def __init__(self, data, *, towns, district: bool, **kwargs):
        super().__init__(data, **kwargs)
        self.towns = {str(town.pk): town for town in towns}
        self.fields["month"].choices = [("", _("All months")), *month_choices()]
        units = [("", _("All units"))]
        if district:
            units.append((DISTRICT, _("The district's report")))
        self.fields["unit"].choices = units + [(pk, town.name) for pk, town in self.towns.items()]

    def filters(self) -> dict:
        """The list selector's arguments."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        unit = data.get("unit") or ""
        return {
            "month": month_of(data.get("month") or ""),
            "town": self.towns.get(unit),
            "district_only": unit == DISTRICT,
            "query": data.get("q") or "",
        }
