"""Forms of the income, yield and rectification-plan pages (point 4). Rules are the services'; forms only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisation.forms import StyledFormMixin
from organisation.models import Town
from organisation.money import MONEY
from projects.models import PlanStatus, Remedy, YieldClass
from projects.selectors.income import BELOW_FLOOR_FILTER, PlanFilters, YieldBand, YieldFilters, project_for_pairing


class IncomeRecordForm(StyledFormMixin, forms.Form):
    period_start = forms.DateField(label=_("Period from"))
    period_end = forms.DateField(label=_("Period to"))
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=0, **MONEY)
    received_on = forms.DateField(
        label=pgettext_lazy("income", "Received on"),
        help_text=_("The day the money arrived: the yield counts income in the year it was received."),
    )
    payer = forms.CharField(label=_("Paid by"), max_length=200)


class MarkPaidForm(StyledFormMixin, forms.Form):
    paid_on = forms.DateField(label=pgettext_lazy("income distribution", "Paid on"))


class PlanForm(StyledFormMixin, forms.Form):
    remedy = forms.ChoiceField(label=_("Remedy"), choices=[("", "—"), *Remedy.choices], required=False)
    paired_project_code = forms.CharField(
        label=_("Project to pair with (project number)"),
        max_length=30,
        required=False,
        help_text=_("Only for pairing: another project of the district."),
    )
    steps = forms.CharField(label=_("Steps"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    responsible_unit = forms.CharField(label=_("Responsible unit"), max_length=200, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False)

    def clean_paired_project_code(self):
        code = self.cleaned_data["paired_project_code"].strip()
        if not code:
            return None
        project = project_for_pairing(code=code)
        if project is None:
            raise forms.ValidationError(_("No project has this number."))
        return project

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["paired_project"] = data.pop("paired_project_code")
        return data


class PlanCompleteForm(StyledFormMixin, forms.Form):
    completed_on = forms.DateField(label=pgettext_lazy("rectification plan", "Completed on"))


class YieldRunForm(StyledFormMixin, forms.Form):
    period_end = forms.DateField(
        label=_("Twelve months ending"),
        required=False,
        help_text=_("The last day of a month; empty for the month just ended."),
    )


class YieldFilterForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Period ending"), required=False, coerce=str, empty_value="")
    town = forms.ModelChoiceField(label=_("Town"), queryset=Town.objects.none(), required=False)
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=[
            ("", _("All classes")),
            *YieldClass.choices,
            (BELOW_FLOOR_FILTER, _("Below the floor: weak, idle or struggling")),
        ],
        required=False,
    )
    band = forms.ChoiceField(
        label=_("Yield band"), choices=[("", _("All yields")), *YieldBand.choices], required=False
    )
    as_of = forms.DateField(
        label=_("Each project's latest assessment as of"),
        required=False,
        help_text=_("Leave empty to see one period's assessments."),
    )
    q = forms.CharField(label=_("Project number or name"), max_length=60, required=False)

    def __init__(self, *args, towns, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["period"].choices = [(day.isoformat(), day.isoformat()) for day in periods]
        self.periods = periods

    def filters(self) -> YieldFilters:
        data = self.cleaned_data if self.is_valid() else {}
        period = data.get("period")
        chosen = next((day for day in self.periods if day.isoformat() == period), None)
        as_of = data.get("as_of")
        return YieldFilters(
            period_end=None if as_of else chosen or (self.periods[0] if self.periods else None),
            town=data.get("town"),
            classification=data.get("classification", ""),
            query=data.get("q", "").strip(),
            as_of=as_of,
            band=data.get("band", ""),
        )


class PlanFilterForm(forms.Form):
    town = forms.ModelChoiceField(label=_("Town"), queryset=Town.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *PlanStatus.choices], required=False
    )
    remedy = forms.ChoiceField(label=_("Remedy"), choices=[("", _("All remedies")), *Remedy.choices], required=False)
    overdue = forms.BooleanField(label=_("Past the deadline"), required=False)
    open_on = forms.DateField(label=pgettext_lazy("rectification plans", "Open on"), required=False)
    q = forms.CharField(label=_("Project number or name"), max_length=60, required=False)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns

    def filters(self) -> PlanFilters:
        data = self.cleaned_data
        return PlanFilters(
            town=data.get("town"),
            status=data.get("status", ""),
            remedy=data.get("remedy", ""),
            overdue=bool(data.get("overdue")),
            query=data.get("q", "").strip(),
            open_on=data.get("open_on"),
        )
