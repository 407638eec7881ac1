"""The pages of property rights, enterprises and parks (points 1, 3, 4): every URL holds against another town's
users and the wrong roles, the blacklist refusal says why on the form, the mortgage warning shows wherever the
project does, and the lists take the same number of queries for more rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisation.roles import Role
from projects.models import (
    AssetEncumbrance,
    AssistanceAgreement,
    EncumbranceKind,
    EncumbranceStatus,
    Enterprise,
    IndustrialPark,
    IndustryProject,
    ProjectStatus,
)
from projects.selectors.rights import with_rights_section
from projects.services import enterprises as enterprise_services
from projects.services import parks as park_services
from projects.services import rights as services
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import TownFactory
from tests.factories.projects import EnterpriseFactory, ProjectFactory
from tests.permission_checks import assert_other_town_refused, history_head, stranger

pytestmark = [pytest.mark.django_db, pytest.mark.english]

TODAY = timezone.localdate()
DAY = TODAY.isoformat()
VALID_CODE = "91110000600037341L"


@pytest.fixture
def station(make_user, town):
    return make_user(Role.TOWN_STATION, town=town)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def built_project(town, villages=(), **fields) -> IndustryProject:
    values = {"status": ProjectStatus.COMPLETED, "completed_on": dt.date(2019, 5, 1), **fields}
    return ProjectFactory(town=town, villages=list(villages), **values)


@pytest.fixture
def project(town, village):
    return built_project(town, [village])


def request_encumbrance(user, project, **fields) -> AssetEncumbrance:
    return services.encumbrance_request(
        user=user,
        project=project,
        kind=fields.get("kind", EncumbranceKind.MORTGAGE),
        creditor="兰山农商银行",
        amount=Decimal("150000"),
        purpose="购置冷库设备",
        requested_on=TODAY,
    )


@pytest.fixture
def encumbrance(staff, project):
    return request_encumbrance(staff, project)


@pytest.fixture
def approved(encumbrance, office_user):
    return services.encumbrance_decide(user=office_user, encumbrance=encumbrance, approve=True, decided_on=TODAY)


@pytest.fixture
def enterprise(staff, town):
    return enterprise_services.enterprise_create(user=staff, name="汪沟镇金银花种植专业合作社", town=town)


@pytest.fixture
def entry(office_user, enterprise):
    return enterprise_services.blacklist_add(
        user=office_user, enterprise=enterprise, reason="Did not pay the collective", decided_on=dt.date(2024, 3, 1)
    )


def agreement_for(staff, enterprise, town) -> AssistanceAgreement:
    return enterprise_services.agreement_create(
        user=staff,
        enterprise=enterprise,
        town=town,
        signed_on=dt.date(2022, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        jobs_committed=5,
        income_committed=Decimal("50000"),
        purchases_committed=Decimal("0"),
    )


@pytest.fixture
def agreement(staff, enterprise, town):
    return agreement_for(staff, enterprise, town)


@pytest.fixture
def park(staff, town):
    return park_services.park_create(
        user=staff, town=town, name="汪沟镇扶贫产业园", established_on=dt.date(2019, 3, 1)
    )


def page(client, user, url, **params) -> str:
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


# --- Every record's URL against another town's users -------------------------------------------------------------

# (URL name, the fixture whose pk is in the URL, the role of the stranger, a valid POST)
RECORD_URLS = [
    ("right_confirm", "project", Role.TOWN_STATION, {"certificate_number": "C-9", "confirmed_on": DAY, "owner": "x"}),
    ("three_assets", "project", Role.TOWN_STATION, {"number": "SZ-9"}),
    ("asset_register", "project", Role.TOWN_STATION, {"number": "BQ-9", "registered_on": DAY}),
    ("operator_set", "project", Role.TOWN_STAFF, {"agreed_annual_income": "100"}),
    ("operator_set", "project", Role.TOWN_STATION, {"agreed_annual_income": "100"}),
    ("income_shares", "project", Role.TOWN_STATION, {"shares-TOTAL_FORMS": "0", "shares-INITIAL_FORMS": "0"}),
    (
        "encumbrance_request",
        "project",
        Role.TOWN_STAFF,
        {"kind": "mortgage", "creditor": "x", "amount": "1", "purpose": "x", "requested_on": DAY},
    ),
    ("encumbrance_decide", "encumbrance", Role.TOWN_STAFF, {"decision": "approve", "decided_on": DAY}),
    ("encumbrance_release", "approved", Role.TOWN_STAFF, {"released_on": DAY}),
    ("encumbrance_release", "approved", Role.TOWN_STATION, {"released_on": DAY}),
    ("park_assign", "project", Role.TOWN_STAFF, {"park": ""}),
    ("enterprise_edit", "enterprise", Role.TOWN_STAFF, {"name": "x", "kind": "enterprise"}),
    ("blacklist_add", "enterprise", Role.TOWN_STAFF, {"reason": "x", "decided_on": DAY}),
    ("blacklist_lift", "entry", Role.TOWN_STAFF, {"lifted_on": DAY, "reason": "x"}),
    ("agreement_detail", "agreement", Role.TOWN_STAFF, None),
    ("agreement_detail", "agreement", Role.VILLAGE_CLERK, None),
    (
        "fulfilment_record",
        "agreement",
        Role.TOWN_STAFF,
        {"year": "2023", "jobs_provided": "1", "income_paid": "0", "purchases_made": "0"},
    ),
    ("park_detail", "park", Role.TOWN_STAFF, None),
    ("park_edit", "park", Role.TOWN_STAFF, {"name": "x", "established_on": DAY}),
]


@pytest.mark.parametrize(
    ("name", "subject", "role", "data"), RECORD_URLS, ids=[f"{row[0]}-{row[2]}" for row in RECORD_URLS]
)
def test_another_towns_user_is_refused(client, request, name, subject, role, data):
    # given a record's URL
    url = reverse(f"projects:{name}", args=[request.getfixturevalue(subject).pk])
    # then another town's user is refused it, GET and POST
    assert_other_town_refused(client, url, role=role)
    if data is not None:
        assert_other_town_refused(client, url, role=role, method="post", data=data)


# (URL name, the fixture whose pk is in the URL or None, a role of the record's own town that does not do the step)
WRONG_ROLES = [
    ("right_confirm", "project", Role.TOWN_STAFF),
    ("right_confirm", "project", Role.TOWN_FINANCE),
    ("right_confirm", "project", Role.VILLAGE_CLERK),
    ("three_assets", "project", Role.TOWN_STAFF),
    ("asset_register", "project", Role.TOWN_STAFF),
    ("operator_set", "project", Role.TOWN_FINANCE),
    ("income_shares", "project", Role.TOWN_STAFF),
    ("encumbrance_request", "project", Role.TOWN_FINANCE),
    ("encumbrance_decide", "encumbrance", Role.TOWN_STAFF),
    ("encumbrance_decide", "encumbrance", Role.TOWN_STATION),
    ("encumbrance_decide", "encumbrance", Role.DISTRICT_FINANCE),
    ("encumbrance_release", "approved", Role.TOWN_FINANCE),
    ("park_assign", "project", Role.TOWN_STATION),
    ("enterprise_create", None, Role.TOWN_STATION),
    ("enterprise_edit", "enterprise", Role.TOWN_STATION),
    ("blacklist_add", "enterprise", Role.TOWN_STAFF),
    ("blacklist_add", "enterprise", Role.AUDIT),
    ("blacklist_lift", "entry", Role.TOWN_STAFF),
    ("agreement_create", None, Role.TOWN_STATION),
    ("fulfilment_record", "agreement", Role.TOWN_STATION),
    ("park_create", None, Role.TOWN_STATION),
    ("park_edit", "park", Role.TOWN_FINANCE),
]


@pytest.mark.parametrize(("name", "subject", "role"), WRONG_ROLES, ids=[f"{r[0]}-{r[2]}" for r in WRONG_ROLES])
def test_a_role_that_does_not_do_the_step_gets_403(client, request, make_user, town, village, name, subject, role):
    # given a user of the record's own town whose role does not do the step
    args = [request.getfixturevalue(subject).pk] if subject else []
    url = reverse(f"projects:{name}", args=args)
    level_place = {Role.VILLAGE_CLERK: {"village": village}, Role.AUDIT: {}, Role.DISTRICT_FINANCE: {}}
    client.force_login(make_user(role, **level_place.get(role, {"town": town})))
    # when they open it and post it
    before = history_head()
    # then both are refused, and nothing was written
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert history_head() == before


def test_lists_show_another_towns_user_nothing_of_this_town(client, project, approved, agreement, park):
    # then no list shows another town's staff the town's projects, agreements or parks
    for name in ("unconfirmed_list", "encumbrance_list", "agreement_list", "park_list"):
        html = page(client, stranger(Role.TOWN_STAFF), reverse(f"projects:{name}"))
        for text in (project.code, agreement.enterprise.name, park.name):
            assert text not in html, f"{name} shows {text} to another town"


def test_the_registry_is_read_by_every_post_but_not_the_towns_agreements(client, enterprise, agreement, entry):
    # given a user of another town
    user = stranger(Role.TOWN_STAFF)
    # when they open the enterprise
    html = page(client, user, reverse("projects:enterprise_detail", args=[enterprise.pk]))
    # then they read it, not the town's agreement; and the lists show it
    assert enterprise.name in html and agreement.get_absolute_url() not in html
    assert enterprise.name in page(client, user, reverse("projects:blacklist"))
    assert enterprise.name in page(client, user, reverse("projects:enterprise_list"))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("enterprise_create", {"name": "外镇企业", "kind": "enterprise"}),
        ("park_create", {"name": "外镇园区", "established_on": DAY}),
        (
            "agreement_create",
            {
                "signed_on": DAY,
                "ends_on": DAY,
                "jobs_committed": "1",
                "income_committed": "0",
                "purchases_committed": "0",
            },
        ),
    ],
)
def test_another_towns_user_cannot_create_for_this_town(client, town, enterprise, name, data):
    # given a form naming the town, posted by a user of another town
    data = {**data, "town": town.pk, "enterprise": enterprise.pk}
    client.force_login(stranger(Role.TOWN_STAFF))
    before = history_head()
    # when it is posted
    response = client.post(reverse(f"projects:{name}"), data)
    # then the town is refused, and nothing was written
    assert response.status_code == 200
    assert response.context["form"].errors["town"]
    assert history_head() == before


# --- The blacklist refusal on the forms -----------------------------------------------------------------------------


def test_the_operator_form_says_why_a_blacklisted_enterprise_is_refused(client, staff, project, entry):
    # given the operator form, which marks the blacklisted enterprise
    url = reverse("projects:operator_set", args=[project.pk])
    assert "(on the blacklist)" in page(client, staff, url)
    # when the staff name it operator
    response = post(client, staff, url, {"operator_enterprise": entry.enterprise_id, "agreed_annual_income": "50000"})
    # then the form says why it is refused, and the project has no operator
    assert response.status_code == 200
    assert "is on the blacklist since 2024-03-01 (Did not pay the collective)" in response.content.decode()
    project.refresh_from_db()
    assert project.operator_enterprise is None


def test_the_agreement_form_says_why_and_lifting_allows_again(client, staff, office_user, town, entry):
    # given an agreement with a blacklisted enterprise
    data = {
        "enterprise": entry.enterprise_id,
        "town": town.pk,
        "signed_on": DAY,
        "ends_on": DAY,
        "jobs_committed": "3",
        "income_committed": "0",
        "purchases_committed": "0",
    }
    # when the staff record it
    response = post(client, staff, reverse("projects:agreement_create"), data)
    # then the form says why it is refused, and nothing was written
    assert response.status_code == 200
    assert "is on the blacklist since 2024-03-01 (Did not pay the collective)" in response.content.decode()
    assert not AssistanceAgreement.objects.exists()

    # when the office lifts the blacklisting
    lift = post(
        client, office_user, reverse("projects:blacklist_lift", args=[entry.pk]), {"lifted_on": DAY, "reason": "Paid"}
    )
    assert lift.status_code == 302
    # then the agreement is recorded
    assert post(client, staff, reverse("projects:agreement_create"), data).status_code == 302
    assert AssistanceAgreement.objects.filter(enterprise=entry.enterprise).exists()


def test_the_district_blacklists_through_the_enterprise_page_and_its_history_shows(client, office_user, enterprise):
    # given the enterprise page, which offers the office the blacklisting
    url = reverse("projects:enterprise_detail", args=[enterprise.pk])
    assert 'data-testid="blacklist-add"' in page(client, office_user, url)
    # when the office blacklists the enterprise
    response = post(
        client,
        office_user,
        reverse("projects:blacklist_add", args=[enterprise.pk]),
        {"reason": "Broke the agreement", "decided_on": DAY},
    )
    # then its page shows the notice, the reason and the history
    assert response.status_code == 302
    html = page(client, office_user, url)
    assert 'data-testid="blacklist-notice"' in html and "Broke the agreement" in html
    assert 'id="tab-history"' in html


# --- The mortgage warning everywhere ------------------------------------------------------------------------------


def section(project, role="town_staff", *, as_object=False) -> str:
    key = "object" if as_object else "project"
    request = RequestFactory().get("/")
    return render_to_string("projects/rights/project_section.html", {key: project, "staff_role": role}, request)


def test_an_encumbrance_shows_a_warning_until_released(client, staff, office_user, project):
    # when the town asks for a mortgage through the page
    response = post(
        client,
        staff,
        reverse("projects:encumbrance_request", args=[project.pk]),
        {"kind": "mortgage", "creditor": "兰山农商银行", "amount": "150000", "purpose": "冷库", "requested_on": DAY},
    )
    assert response.status_code == 302
    encumbrance = AssetEncumbrance.objects.get(project=project)
    # then the project shows the warning: on its page's section, in the lists
    assert 'data-status="requested"' in section(project)
    assert 'data-testid="encumbrance-warning"' in page(client, office_user, reverse("projects:encumbrance_list"))
    unconfirmed = page(client, office_user, reverse("projects:unconfirmed_list"))
    assert 'data-testid="encumbrance-warning"' in unconfirmed

    # when the town approves it, that is refused; when the district does, it is approved
    decide = reverse("projects:encumbrance_decide", args=[encumbrance.pk])
    assert post(client, staff, decide, {"decision": "approve", "decided_on": DAY}).status_code == 403
    assert post(client, office_user, decide, {"decision": "approve", "decided_on": DAY}).status_code == 302
    encumbrance.refresh_from_db()
    assert encumbrance.status == EncumbranceStatus.APPROVED
    assert 'data-status="approved"' in section(project)

    # when it is released, the warning is gone everywhere
    release = reverse("projects:encumbrance_release", args=[encumbrance.pk])
    assert post(client, staff, release, {"released_on": DAY}).status_code == 302
    assert 'data-testid="encumbrance-warning"' not in section(project)
    assert 'data-testid="encumbrance-warning"' not in page(client, office_user, reverse("projects:unconfirmed_list"))
    assert project.code not in page(client, office_user, reverse("projects:encumbrance_list"))
    assert project.code in page(client, office_user, reverse("projects:encumbrance_list"), state="released")


def test_the_project_page_shows_the_rights_section_and_the_warning(client, staff, office_user, project, approved):
    # given an approved mortgage
    url = reverse("projects:project_detail", args=[project.pk])
    # then the project page shows the rights section with it
    html = page(client, staff, url)
    assert 'data-testid="rights-section"' in html and 'data-status="approved"' in html
    # when it is released, the warning is gone
    services.encumbrance_release(user=office_user, encumbrance=approved, released_on=TODAY)
    assert 'data-testid="encumbrance-warning"' not in page(client, staff, url)


def test_the_warning_shows_on_a_parks_projects(client, staff, park, project, encumbrance):
    # given a project with a mortgage request in the park
    park_services.project_assign_park(user=staff, project=project, park=park)
    # when the park's page is opened
    html = page(client, staff, reverse("projects:park_detail", args=[park.pk]))
    # then the project shows with its warning
    assert project.code in html and 'data-testid="encumbrance-warning"' in html


def test_a_refusal_needs_a_note_on_the_form(client, office_user, encumbrance):
    # when the office refuses a mortgage without a note
    url = reverse("projects:encumbrance_decide", args=[encumbrance.pk])
    response = post(client, office_user, url, {"decision": "refuse", "decided_on": DAY, "note": ""})
    # then the form asks why
    assert response.status_code == 200
    assert "Say why the mortgage or guarantee is refused." in response.content.decode()


def test_the_rights_section_shows_the_four_rights(station, office_user, project, village):
    # given an operator, income shares and a confirmed property right
    enterprise = EnterpriseFactory(name="兰山运营公司")
    services.operator_set(user=station, project=project, enterprise=enterprise, agreed_annual_income=Decimal("60000"))
    services.income_shares_set(user=station, project=project, shares=[(village, Decimal("80"))])
    services.property_right_confirm(
        user=station, project=project, certificate_number="LS-CQ-7", confirmed_on=TODAY, owner="王庄村集体"
    )
    # when the station's rights section is drawn
    project = with_rights_section(IndustryProject.objects.filter(pk=project.pk)).get()
    html = section(project, "town_station", as_object=True)
    # then it shows all four, the station's step, and no district step
    assert "王庄村集体" in html and "LS-CQ-7" in html and "兰山运营公司" in html
    assert f"{village.name}" in html and "80.00%" in html
    assert reverse("projects:right_confirm", args=[project.pk]) in html
    assert reverse("projects:encumbrance_decide", args=[1]) not in html


def test_the_rights_section_takes_the_same_queries_for_more_shares_and_encumbrances(station, staff, project, town):
    def queries() -> int:
        loaded = with_rights_section(IndustryProject.objects.filter(pk=project.pk))
        with CaptureQueriesContext(connection) as captured:
            section(loaded.get(), "district_office")
        return len(captured)

    # given one share and one encumbrance
    village = project.villages.get()
    services.income_shares_set(user=station, project=project, shares=[(village, Decimal("10"))])
    request_encumbrance(staff, project)
    few = queries()
    # when three shares and two encumbrances are added
    households = [HouseholdFactory(village=village) for _ in range(3)]
    services.income_shares_set(
        user=station,
        project=project,
        shares=[(village, Decimal("10")), *[(household, Decimal("5")) for household in households]],
    )
    request_encumbrance(staff, project, kind=EncumbranceKind.GUARANTEE)
    request_encumbrance(staff, project)
    # then the section costs the same queries
    assert queries() == few


# --- The steps' pages ---------------------------------------------------------------------------------------------


def test_income_shares_over_100_are_refused_on_the_page_with_the_total(client, station, project, village):
    # given the station on the income shares page
    household = HouseholdFactory(village=village)
    url = reverse("projects:income_shares", args=[project.pk])
    assert page(client, station, url)
    data = {
        "shares-TOTAL_FORMS": "3",
        "shares-INITIAL_FORMS": "0",
        "shares-0-village": village.pk,
        "shares-0-percent": "70",
        "shares-1-household": household.file_number,
        "shares-1-percent": "35",
    }
    # when shares of 105% are posted
    response = post(client, station, url, data)
    # then the page says so
    assert response.status_code == 200
    assert "The shares add up to 105.00%" in response.content.decode()
    # when the household's share is lowered to 30%, the shares are kept
    data["shares-1-percent"] = "30"
    assert post(client, station, url, data).status_code == 302
    assert sorted(share.percent for share in project.income_shares.all()) == [Decimal("30.00"), Decimal("70.00")]


def test_the_station_confirms_and_registers_through_the_pages(client, station, project):
    # given the station on the confirmation page
    urls = {name: reverse(f"projects:{name}", args=[project.pk]) for name in ("right_confirm", "three_assets")}
    assert page(client, station, urls["right_confirm"])
    # when it confirms the property right and registers the three-assets number
    confirm = {"certificate_number": "LS-CQ-8", "confirmed_on": DAY, "owner": "村集体"}
    assert post(client, station, urls["right_confirm"], confirm).status_code == 302
    assert post(client, station, urls["three_assets"], {"number": "SZ-8"}).status_code == 302
    # then the project has both
    project.refresh_from_db()
    assert (project.right_confirmation.certificate_number, project.three_assets_number) == ("LS-CQ-8", "SZ-8")


def test_the_enterprise_form_says_what_is_wrong_with_the_credit_code(client, staff, town):
    # given the staff on the enterprise form
    url = reverse("projects:enterprise_create")
    assert page(client, staff, url)
    data = {"name": "兰山测试公司", "kind": "enterprise", "credit_code": VALID_CODE[:-1] + "A", "town": town.pk}
    # when a credit code with a wrong check character is posted
    response = post(client, staff, url, data)
    # then the form says what is wrong
    assert response.status_code == 200
    assert "The check character should be L, not A" in response.content.decode()
    # when the code is right, the enterprise is added, and its form opens
    data["credit_code"] = VALID_CODE
    assert post(client, staff, url, data).status_code == 302
    enterprise = Enterprise.objects.get(name="兰山测试公司")
    assert page(client, staff, reverse("projects:enterprise_edit", args=[enterprise.pk]))


def test_a_year_short_of_the_commitments_is_told_on_recording(client, staff, office_user, agreement):
    # when the staff record a year with 3 of 5 jobs
    url = reverse("projects:fulfilment_record", args=[agreement.pk])
    data = {"year": "2023", "jobs_provided": "3", "income_paid": "50000", "purchases_made": "0", "note": ""}
    response = post(client, staff, url, data)
    # then the agreement says it fell short, and the office sees it with the blacklist
    assert response.status_code == 302
    html = page(client, staff, response["Location"])
    assert "2023 fell short of the commitments: 2 jobs" in html
    assert 'data-breach="1"' in html
    assert agreement.enterprise.name in page(client, office_user, reverse("projects:blacklist"))


def test_parks_pages(client, staff, office_user, town, other_town, park, project):
    # when the office opens the parks as of mid-2020
    html = page(client, office_user, reverse("projects:park_list"), as_of="2020-06-01")
    # then the other town is without a park, the town is not
    panel = html.split('data-testid="towns-without-park"')[1].split('data-testid="park-table"')[0]
    assert other_town.name in panel and town.name not in panel
    # when the staff put the project in the park and rename the park
    response = post(client, staff, reverse("projects:park_assign", args=[project.pk]), {"park": park.pk})
    # then the park shows the project, and has its new name
    assert response.status_code == 302
    assert project.code in page(client, staff, reverse("projects:park_detail", args=[park.pk]))
    response = post(
        client,
        staff,
        reverse("projects:park_edit", args=[park.pk]),
        {"name": "汪沟镇金银花产业园", "established_on": "2019-03-01", "leading_industry": "金银花"},
    )
    assert response.status_code == 302
    assert IndustrialPark.objects.get(pk=park.pk).name == "汪沟镇金银花产业园"


def test_the_unconfirmed_view_counts_per_town(client, office_user, station, town, other_town):
    # given two unconfirmed built projects in the town and one in the other
    for _ in range(2):
        built_project(town)
    built_project(other_town)
    # when the office opens the unconfirmed list
    html = page(client, office_user, reverse("projects:unconfirmed_list"))
    # then it counts 2 and 1; the station sees its own town only
    counts = html.split('data-testid="town-counts"')[1]
    town_row = counts.split(f'data-town="{town.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="unconfirmed-count">2<' in town_row
    other_row = counts.split(f'data-town="{other_town.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="unconfirmed-count">1<' in other_row
    own = page(client, station, reverse("projects:unconfirmed_list"))
    assert f'data-town="{other_town.pk}"' not in own


# --- Query counts of the lists ------------------------------------------------------------------------------------


def make_rows(n, *, staff, office_user, town, village):
    """``n`` more rows in every list: projects with a mortgage request in the town's park, blacklisted enterprises,
    agreements with a year recorded, and towns with a park."""
    town_park = IndustrialPark.objects.filter(town=town).first() or park_services.park_create(
        user=office_user, town=town, name="汪沟镇扶贫产业园", established_on=dt.date(2019, 1, 1)
    )
    for _ in range(n):
        project = built_project(town, [village])
        request_encumbrance(staff, project)
        park_services.project_assign_park(user=staff, project=project, park=town_park)
        enterprise_services.blacklist_add(
            user=office_user, enterprise=EnterpriseFactory(), reason="违约", decided_on=TODAY
        )
        agreement = agreement_for(staff, EnterpriseFactory(), town)
        enterprise_services.fulfilment_record(
            user=staff, agreement=agreement, year=2023, jobs_provided=1, income_paid=Decimal("0"), purchases_made=0
        )
        park_services.park_create(
            user=office_user, town=TownFactory(), name=f"园区{project.pk}", established_on=dt.date(2019, 1, 1)
        )


LISTS = ["unconfirmed_list", "encumbrance_list", "enterprise_list", "blacklist", "agreement_list", "park_list"]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_takes_the_same_queries_for_more_rows(client, staff, office_user, town, village, name):
    def queries() -> int:
        client.force_login(office_user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(f"projects:{name}")).status_code == 200
        return len(captured)

    # given two rows of every list
    people = {"staff": staff, "office_user": office_user, "town": town, "village": village}
    make_rows(2, **people)
    few = queries()
    # when four more are added
    make_rows(4, **people)
    # then the list costs the same queries
    assert queries() == few


def test_the_park_page_takes_the_same_queries_for_more_projects(client, office_user, staff, town, park):
    def queries() -> int:
        client.force_login(office_user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("projects:park_detail", args=[park.pk])).status_code == 200
        return len(captured)

    # given two projects in the park
    for _ in range(2):
        park_services.project_assign_park(user=staff, project=built_project(town), park=park)
    few = queries()
    # when four more with a mortgage request join it
    for _ in range(4):
        project = built_project(town)
        park_services.project_assign_park(user=staff, project=project, park=park)
        request_encumbrance(staff, project)
    # then the page costs the same queries
    assert queries() == few
