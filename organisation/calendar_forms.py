from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organisation.calendar_services import calendar_day_check
from organisation.forms import StyledFormMixin, date_input
from organisation.models import CalendarDay


class CalendarDayForm(StyledFormMixin, forms.ModelForm):
    """One holiday or make-up workday; also the admin's form, so both check the same rules."""

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "note"]
        widgets = {"date": date_input()}

    def clean(self):
        cleaned_data = super().clean()
        date, kind = cleaned_data.get("date"), cleaned_data.get("kind")
        if date and kind:
            try:
                calendar_day_check(date=date, kind=kind, exclude_pk=self.instance.pk)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class CalendarYearLoadForm(StyledFormMixin, forms.Form):
    lines_text = forms.CharField(
        label=_("Schedule"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "form-control font-monospace"}),
        help_text=_(
            "One day or range of days a line: the date (YYYY-MM-DD) or first..last, then holiday (休, 放假) or "
            "workday (班, 上班), then the holiday name. For example “2027-02-06..2027-02-13 holiday 春节” or "
            "“2027-02-14 workday 春节调休”. The lines replace the office's entries for the year."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=100,
        required=False,
        help_text=_("The State Council notice the schedule comes from."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
