"""Forms of a household's lifecycle pages: yearly income, status changes, assistance cadres.

Typed input only; the rules are the services' (``households.services.lifecycle``).
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.choices import HouseholdStatus, ReturnCause
from households.models import CADRE_HOUSEHOLD_LIMIT, Cadre
from households.rules import FIRST_INCOME_YEAR, cadre_is_full
from organisation.forms import StyledFormMixin

INCOME_AMOUNTS = ("wages", "business", "transfers", "property_income", "business_costs")


class IncomeForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_INCOME_YEAR)
    wages = forms.DecimalField(label=gettext_lazy("Wage income"), max_digits=14, decimal_places=2)
    business = forms.DecimalField(label=gettext_lazy("Household business income"), max_digits=14, decimal_places=2)
    transfers = forms.DecimalField(label=gettext_lazy("Transfer income"), max_digits=14, decimal_places=2)
    property_income = forms.DecimalField(label=gettext_lazy("Property income"), max_digits=14, decimal_places=2)
    business_costs = forms.DecimalField(label=gettext_lazy("Business costs"), max_digits=14, decimal_places=2)
    household_size = forms.IntegerField(label=gettext_lazy("Household members counted"), min_value=1)

    def __init__(self, *args, year_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].disabled = year_fixed


class StatusChangeForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=HouseholdStatus.choices)
    effective_on = forms.DateField(label=gettext_lazy("Effective on"))
    return_cause = forms.ChoiceField(
        label=gettext_lazy("Cause of return"),
        choices=[("", "—"), *ReturnCause.choices],
        required=False,
        help_text=gettext_lazy("Only for a household returning to poverty: illness or disaster."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, checklist_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Choosing another date re-renders the checklist of that date's year in place.
        self.fields["effective_on"].widget.attrs.update(
            {
                "hx-get": checklist_url,
                "hx-trigger": "change",
                "hx-target": "#exit-checklist",
                "hx-swap": "outerHTML",
            }
        )


class CadreForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Cadre
        fields = ["name", "work_unit", "phone"]


def cadre_label(cadre: Cadre) -> str:
    """A cadre in the select: whom they help, and "(full: 5 households)" for a full one (``cadre_is_full``)."""
    label = _("%(cadre)s, helps %(count)d") % {"cadre": cadre, "count": cadre.households_helped}
    if cadre_is_full(cadre.households_helped):
        label += _("(full: %(limit)d households)") % {"limit": CADRE_HOUSEHOLD_LIMIT}
    return label


class CadreSelect(forms.Select):
    """The cadres, a full one (``cadre_is_full``) shown as full and not selectable; the service still refuses one."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        cadre = getattr(value, "instance", None)
        if cadre is not None and cadre_is_full(cadre.households_helped):
            option["attrs"]["disabled"] = True
        return option


class CadreAssignForm(StyledFormMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=gettext_lazy("Cadre"), queryset=Cadre.objects.none(), widget=CadreSelect)
    starts_on = forms.DateField(label=gettext_lazy("From"))
    term_ends_on = forms.DateField(
        label=gettext_lazy("Term ends on"),
        help_text=gettext_lazy(
            "Filled in: the end of 2020 (work plan point 13), or the end of the year the assistance starts if later."
        ),
    )

    def __init__(self, *args, cadres, load_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        cadre = self.fields["cadre"]
        cadre.queryset = cadres
        cadre.label_from_instance = cadre_label
        # Choosing a cadre shows in place whom they already help.
        cadre.widget.attrs.update(
            {"hx-get": load_url, "hx-trigger": "change", "hx-target": "#cadre-load", "hx-swap": "outerHTML"}
        )
