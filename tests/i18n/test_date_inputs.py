"""A date is shown and typed as YYYY-MM-DD whatever the browser's locale, not in the browser's own date picker."""

import datetime

from django import forms

from organisation.forms import date_field


class AllocationDay(forms.Form):
    received_on = date_field("received on")


def test_a_date_field_is_a_yyyy_mm_dd_text_box_not_the_browsers_picker():
    # given a form with a date, filled in
    form = AllocationDay(initial={"received_on": datetime.date(2018, 1, 31)})
    # when it is drawn
    html = str(form["received_on"])
    # then the browser gets a text box that shows the date as YYYY-MM-DD, with the pattern and an example
    assert 'type="date"' not in html
    assert 'type="text"' in html and 'value="2018-01-31"' in html
    assert 'pattern="\\d{4}-\\d{2}-\\d{2}"' in html and 'placeholder="2018-01-31"' in html


def test_a_date_is_taken_as_yyyy_mm_dd_only():
    # given a month-first date and an ISO date
    month_first = AllocationDay(data={"received_on": "01/31/2018"})
    iso = AllocationDay(data={"received_on": "2018-01-31"})
    # then only the ISO one is a date
    assert not month_first.is_valid()
    assert iso.is_valid() and iso.cleaned_data["received_on"] == datetime.date(2018, 1, 31)
