"""The district's progress figures on the page without login: the stored figures of the district and its towns,
with separators and units, and nothing that names a person; still read-only, cacheable and escaped."""

import html as html_lib
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.choices import HouseholdStatus, Relation
from organisation.periods import previous_month
from organisation.roles import Level, Role
from reporting.choices import FigureUnit
from reporting.indicators import INDICATORS, Period
from reporting.models import FigureValue
from reporting.public_figures import PUBLIC_TABLES, figure_text, public_codes
from reporting.services.summary import summary_build
from tests.factories.audits import item_closed, item_raised
from tests.factories.funds import allocation_for
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.factories.organisation import TownFactory, VillageFactory, post_user
from tests.factories.projects import operating_project

pytestmark = pytest.mark.django_db

URL = "/public/"
SCRIPT_TOWN = '<script>alert("镇")</script>'
NAME = "欧阳修文"


def public_html(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def figures_section(html: str) -> str:
    match = re.search(r'<section[^>]*data-testid="public-figures".*?</section>', html, re.S)
    assert match, "the figures' section is missing"
    return match.group(0)


def table_of(html: str, key: str) -> dict[str, dict[str, str]]:
    """A published table as {row's name: {indicator code: the cell's text}}."""
    match = re.search(rf'<table[^>]*data-testid="public-figures-{key}".*?</table>', html, re.S)
    assert match, f"table {key} is missing"
    rows = {}
    for row in re.findall(r'<tr data-testid="public-figures-(?:town|district)">(.*?)</tr>', match.group(0), re.S):
        name = html_lib.unescape(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        rows[name] = dict(re.findall(r'<td[^>]*data-figure="([a-z0-9_]+)">(.*?)</td>', row, re.S))
    return rows


def published(code: str, value: Decimal | None) -> str:
    """How the page must show a stored value: money in 10,000 yuan and rates with two decimals, counts whole,
    thousands separated."""
    if value is None:
        return "—"
    unit = INDICATORS[code].unit
    if unit == FigureUnit.YUAN:
        return f"{(value / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    if unit == FigureUnit.PERCENT:
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    return f"{int(value):,}"


@pytest.fixture
def district_records(town, village):
    """Two towns of the district: 汪沟镇 with an allotment of 12,345,678.90 yuan, a project of 23,456,789.00 yuan,
    a household out of poverty (head 欧阳修文), one returned, and a closed and an open ledger item; and a town whose
    name is a script, with an allotment of 500,000.00 yuan."""
    other = TownFactory(name=SCRIPT_TOWN)
    other_village = VillageFactory(town=other)
    finance, office = post_user(Role.DISTRICT_FINANCE), post_user(Role.DISTRICT_OFFICE)
    staff = post_user(Role.TOWN_STAFF, town=town)
    allocation_for(finance, [(town, Decimal("12345678.90")), (other, Decimal("500000.00"))])
    operating_project(town=town, villages=[village], investment=Decimal("23456789.00"))
    out = HouseholdFactory(village=village, status=HouseholdStatus.OUT_CONTINUING)
    head = MemberFactory(household=out, name=NAME, relation=Relation.HEAD)
    MemberFactory(household=HouseholdFactory(village=village, status=HouseholdStatus.RETURNED))
    MemberFactory(household=HouseholdFactory(village=other_village, status=HouseholdStatus.NOT_OUT))
    item_closed(staff, office, town)
    item_raised(office, town)
    return town, other, head


def build_now():
    return summary_build(month=timezone.localdate())


def test_every_published_code_is_an_indicator_of_the_district_and_its_towns():
    for code in public_codes():
        assert code in INDICATORS, code
        assert INDICATORS[code].at(Level.DISTRICT) and INDICATORS[code].at(Level.TOWN), code


@pytest.mark.english
def test_the_page_shows_the_stored_figures_of_the_district_and_of_each_town(client, district_records):
    # given
    town, other, _head = district_records
    build = build_now()
    period = Period.of(build.month)

    # when
    html = figures_section(public_html(client))

    # then: every published figure of each town and of the district is the stored one, as published
    district_id = town.district_id
    stored = {
        (level, unit_id, code): value
        for level, unit_id, code, value in FigureValue.objects.filter(month=period.month).values_list(
            "level", "unit_id", "indicator", "value"
        )
    }
    rows = {("town", town.pk): town.name, ("town", other.pk): SCRIPT_TOWN, ("district", district_id): "兰山区 in all"}
    for spec in PUBLIC_TABLES:
        table = table_of(html, spec.key)
        assert set(table) == set(rows.values()), spec.key
        for (level, unit_id), name in rows.items():
            assert table[name] == {code: published(code, stored[(level, unit_id, code)]) for code in spec.codes}

    # and the hand-computed figures: money in 10,000 yuan with separators, the unit stated in the header
    funds = table_of(html, "funds")
    assert funds[town.name]["funds_allotted"] == "1,234.57"
    assert funds["兰山区 in all"]["funds_allotted"] == "1,284.57"
    assert table_of(html, "projects")[town.name]["projects_investment"] == "2,345.68"
    sectors = table_of(html, "sectors")
    assert sectors[town.name]["households_out"] == "1" and sectors[town.name]["households_returned"] == "1"
    assert sectors[SCRIPT_TOWN]["households_out"] == "0"
    assert sectors[town.name]["ledger_items_closed"] == "1"
    assert "(10,000 yuan)" in html and "(%)" in html and "(households)" in html
    assert f"as of {timezone.localtime(build.built_at):%Y-%m-%d %H:%M}" in html
    assert f"for {period.month:%Y-%m}" in html


def test_no_person_no_village_and_no_record_id_is_on_the_figures(client, district_records, village):
    # given
    _town, _other, head = district_records
    build_now()

    # when
    html = public_html(client)
    figures = figures_section(html)

    # then
    for secret in (NAME, head.id_number, head.household.file_number):
        assert secret not in html, secret
    assert not re.search(r"\d{17}[\dX]", html), "an ID number is on the public page"
    assert village.name not in figures, "a village's figure is on the page"
    assert "href=" not in figures and "<form" not in figures


def test_a_town_s_name_is_shown_escaped(client, district_records):
    # given
    build_now()

    # when
    figures = figures_section(public_html(client))

    # then
    assert "<script>" not in figures
    assert "&lt;script&gt;alert(&quot;镇&quot;)&lt;/script&gt;" in figures


def test_anonymous_get_is_answered_cacheable_and_every_other_method_refused(client, district_records):
    # given
    build_now()

    # when
    response = client.get(URL)

    # then
    assert reverse("public:public_index") == URL
    assert response.status_code == 200
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=300"} <= cache
    assert "Accept-Language" in response["Vary"]
    assert "csrfmiddlewaretoken" not in response.content.decode()
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(URL).status_code == 405


@pytest.mark.english
def test_without_computed_figures_the_page_says_so_instead_of_zeros(client, district_records):
    # when no month was ever computed
    html = figures_section(public_html(client))

    # then
    assert "The progress figures have not been computed yet." in html
    assert "data-figure" not in html


@pytest.mark.english
def test_before_the_month_is_computed_the_month_before_is_shown_as_such(client, district_records):
    # given only last month's figures
    last = previous_month(timezone.localdate())
    summary_build(month=last)

    # when
    html = figures_section(public_html(client))

    # then
    assert f"for {last:%Y-%m}" in html
    assert "data-figure" in html


def test_the_figures_cost_the_same_queries_whatever_the_towns(client, district_records):
    # given the page read once with the figures built
    build_now()
    public_html(client)
    with CaptureQueriesContext(connection) as few:
        public_html(client)

    # when three more towns with records are in the figures
    for _index in range(3):
        operating_project(town=TownFactory(), investment=Decimal("1000.00"))
    build_now()
    with CaptureQueriesContext(connection) as many:
        html = public_html(client)

    # then
    assert len(table_of(html, "funds")) == 6
    assert len(many) == len(few), "\n".join(query["sql"] for query in many.captured_queries)


def test_a_figure_has_its_published_text():
    # money in 10,000 yuan, rounded half up; a rate with two decimals; a count whole; each with separators
    assert figure_text(INDICATORS["funds_allotted"], Decimal("123456789.0000")) == "12,345.68"
    assert figure_text(INDICATORS["funds_allotted"], Decimal("50.0000")) == "0.01"
    assert figure_text(INDICATORS["funds_disbursement_rate"], Decimal("66.6700")) == "66.67"
    assert figure_text(INDICATORS["households_out"], Decimal("12345.0000")) == "12,345"
    assert figure_text(INDICATORS["households_out"], None) == "—"
