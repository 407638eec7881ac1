"""``organisation.forms.QuickSelect`` writes the same HTML as Django's Select template, only faster: every select of
a page styled by ``styled`` (filter bars, forms) uses it."""

import pytest
from django import forms
from django.db import connection
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext

from organisation.forms import QuickSelect, choice_of, filter_field, styled
from organisation.models import Village
from tests.factories.organisation import VillageFactory

pytestmark = pytest.mark.django_db


def _both(form: forms.Form, name: str):
    """The field as QuickSelect writes it and as Django's Select template writes it, parsed as HTML (the template
    puts blank lines between options)."""
    field = form.fields[name]
    assert type(field.widget) is QuickSelect
    quick = str(form[name])
    field.widget.__class__ = forms.Select
    try:
        return parse_html(quick), parse_html(str(form[name]))
    finally:
        field.widget.__class__ = QuickSelect


@pytest.mark.parametrize("data", [{}, {"village": ""}, {"village": "chosen"}, {"village": "999999"}])
def test_a_choice_of_records_is_written_as_djangos_template_writes_it(town, data):
    villages = [VillageFactory(town=town, name=name) for name in ("<b>村</b>", 'A"B', "丁庄村")]

    class Filter(forms.Form):
        village = filter_field(choice_of(Village.objects.order_by("pk"), "村", empty_label="全部村"))

    if data.get("village") == "chosen":
        data = {"village": str(villages[1].pk)}
    quick, django_html = _both(Filter(data), "village")

    assert quick == django_html
    assert "&lt;b&gt;村&lt;/b&gt;" in str(form_html := Filter(data)["village"])
    assert "<b>" not in str(form_html)


def test_choices_required_and_without_an_empty_choice_match_too():
    class Form(forms.Form):
        status = styled(forms.ChoiceField(choices=[("a", "甲 & 乙"), ("b", "丙")]))

    for data in ({}, {"status": "b"}):
        quick, django_html = _both(Form(data), "status")
        assert quick == django_html


def test_grouped_choices_are_left_to_django():
    class Form(forms.Form):
        kind = styled(forms.ChoiceField(choices=[("组一", [("a", "甲")]), ("b", "乙")]))

    html = str(Form()["kind"])
    assert "<optgroup" in html


def test_a_choice_of_records_is_read_in_one_query(town, django_assert_num_queries):
    VillageFactory.create_batch(3, town=town)

    class Filter(forms.Form):
        village = filter_field(choice_of(Village.objects.order_by("pk"), "村", empty_label="全部村"))

    form = Filter({})
    with django_assert_num_queries(1):
        html = str(form["village"])
    assert html.count("<option") == 4


def test_a_choice_of_records_is_read_without_a_server_side_cursor(town):
    # Django's ModelChoiceIterator reads with iterator(): a server-side cursor, WITH HOLD (the whole result kept on
    # the server) when no transaction is open, as on a page.
    VillageFactory.create_batch(3, town=town)

    class Filter(forms.Form):
        village = filter_field(choice_of(Village.objects.order_by("pk"), "村", empty_label="全部村"))

    form = Filter(initial={"village": Village.objects.order_by("pk")[1].pk})
    with CaptureQueriesContext(connection) as queries:
        html = str(form["village"])

    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["SELECT"]
    assert html.count("<option") == 4 and html.count(" selected") == 1
