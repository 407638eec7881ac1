"""The counting rule stated beside each due date of the funds (calendar days or working days)."""

import pytest
from django.template.loader import render_to_string

from funds.models import Hop, Loan, MonthlyReport, Transfer
from funds.rules import CALENDAR_DAYS, WORKING_DAYS, deadline_counting

pytestmark = pytest.mark.english


@pytest.mark.parametrize(
    ("hop", "counting"),
    [
        (Hop.TO_TOWN, CALENDAR_DAYS),
        (Hop.TO_STATION, WORKING_DAYS),
        (Hop.TO_VILLAGE, WORKING_DAYS),
        (None, WORKING_DAYS),
    ],
)
def test_only_the_hop_to_the_town_counts_calendar_days(hop, counting):
    assert deadline_counting(hop) == counting


@pytest.mark.parametrize(
    ("record", "counting", "words"),
    [
        (Transfer(hop=Hop.TO_TOWN), "calendar", "Civil Code, art. 203"),
        (Transfer(hop=Hop.TO_VILLAGE), "working", "working days"),
        (MonthlyReport(), "working", "working days"),
        (Loan(), "working", "working days"),
    ],
)
def test_the_note_beside_a_due_date_comes_from_the_record(record, counting, words):
    # when the note is rendered for the record
    html = render_to_string("funds/due_rule.html", {"record": record})
    # then it names the record's counting rule
    assert f'data-counting="{counting}"' in html
    assert words in html
