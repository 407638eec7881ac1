"""Forms of the monthly fund-usage report pages: typed input only, the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funds.models import ReportStatus
from organisation.forms import StyledFormMixin
from organisation.periods import month_start

TEXT_LIMIT = 4000


class MonthInput(forms.DateInput):
    """The browser's month picker (it reads and writes YYYY-MM). Its type is also in ``attrs``, where the form
    kit's ``styled`` looks before turning a date field into a YYYY-MM-DD text box; it is rendered once."""

    input_type = "month"

    def __init__(self, attrs=None, format="%Y-%m"):
        super().__init__(attrs, format)
        self.attrs["type"] = self.input_type

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("type", None)
        return context


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month picker); cleaned to the month's first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = MonthInput

    def to_python(self, value):
        day = super().to_python(value)
        return month_start(day) if day else day


class ReportFilterForm(forms.Form):
    q = forms.CharField(label=_("Town name"), required=False, max_length=100)
    town = forms.ModelChoiceField(label=_("Town or street"), queryset=None, required=False)
    month_from = MonthField(label=_("From month"), required=False)
    month_to = MonthField(label=_("To month"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *ReportStatus.choices],
        required=False,
    )
    late = forms.BooleanField(label=_("Late or missing only"), required=False)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns


class ReportOpenForm(StyledFormMixin, forms.Form):
    town = forms.ModelChoiceField(label=_("Town or street"), queryset=None, empty_label=None)
    month = MonthField(label=_("Month reported on"))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns


class ReportSubmitForm(StyledFormMixin, forms.Form):
    notes = forms.CharField(
        label=_("Notes on the use of the funds"),
        required=False,
        max_length=TEXT_LIMIT,
        help_text=_("What the money was used for, progress, problems; the figures come from the disbursement chain."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReviewDecision:
    ACCEPT = "accept"
    RETURN = "return"
    CHOICES = [(ACCEPT, _("Accept the report")), (RETURN, _("Return it to the town for correction"))]


class ReportReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.CHOICES, widget=forms.RadioSelect, initial=ReviewDecision.ACCEPT
    )
    note = forms.CharField(
        label=_("Note to the town"),
        required=False,
        max_length=TEXT_LIMIT,
        help_text=_("Required when the report is returned: say what to correct."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
