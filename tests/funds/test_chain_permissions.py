"""Who may open and do what on the chain's pages: another town's users are refused every record, GET and POST,
and a role that does not do a step gets a 403 and writes nothing."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.models import Allocation, PaymentRequest, Transfer
from funds.services import chain
from organisation.roles import Role
from tests.factories.funds import ChainPeople, allocation_for, request_for, to_station, to_town_transfer
from tests.factories.organisation import VillageFactory, post_user
from tests.permission_checks import assert_other_town_refused, history_head, stranger

TODAY = timezone.localdate


@dataclass
class Chain:
    people: ChainPeople
    allocation: Allocation
    to_town: Transfer  # sent, not yet received
    to_station: Transfer  # sent and received
    to_village: Transfer  # approved, not sent
    submitted: PaymentRequest
    returned: PaymentRequest


@pytest.fixture
def chain_of(town, village):
    """One allocation at every step: a share in transit, a forwarding done, requests in every state."""
    people = ChainPeople.for_town(town, village)
    allocation = allocation_for(people.district_finance, [(town, Decimal("1000.00"))])
    forwarded = to_station(people, allocation, town)
    second = allocation_for(people.district_finance, [(town, Decimal("50.00"))])
    in_transit = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(second, town), sent_on=TODAY()
    )
    approved = request_for(people, allocation, village, Decimal("100.00"))
    to_village = chain.payment_request_approve(user=people.station, request=approved, approved_on=TODAY())
    returned = request_for(people, allocation, village, Decimal("10.00"))
    chain.payment_request_return(user=people.station, request=returned, returned_on=TODAY(), reason="缺少附件")
    submitted = request_for(people, allocation, village, Decimal("20.00"))
    return Chain(people, allocation, in_transit, forwarded, to_village, submitted, returned)


def today():
    return TODAY().isoformat()


# (url name, the record of the chain, roles of another town to try, POST data; None for a page that takes no POST)
RECORD_URLS = [
    ("funds:allocation_detail", "allocation", [Role.TOWN_FINANCE, Role.TOWN_STATION, Role.TOWN_STAFF], None),
    ("funds:allocation_allot", "allocation", [Role.TOWN_FINANCE], {"amount": "1.00"}),
    ("funds:transfer_detail", "to_town", [Role.TOWN_FINANCE, Role.TOWN_STATION, Role.TOWN_STAFF], None),
    ("funds:transfer_detail", "to_station", [Role.TOWN_FINANCE, Role.TOWN_STATION], None),
    ("funds:transfer_detail", "to_village", [Role.VILLAGE_CLERK, Role.TOWN_STAFF, Role.TOWN_STATION], None),
    ("funds:transfer_send", "to_village", [Role.TOWN_STATION], {"sent_on": today}),
    ("funds:transfer_send", "to_town", [Role.TOWN_FINANCE, Role.TOWN_STATION], {"sent_on": today}),
    ("funds:transfer_receive", "to_town", [Role.TOWN_FINANCE], {"received_on": today}),
    ("funds:transfer_receive", "to_village", [Role.VILLAGE_CLERK, Role.TOWN_STAFF], {"received_on": today}),
    ("funds:request_detail", "submitted", [Role.VILLAGE_CLERK, Role.TOWN_STAFF, Role.TOWN_STATION], None),
    ("funds:request_approve", "submitted", [Role.TOWN_STATION], {"approved_on": today}),
    ("funds:request_return", "submitted", [Role.TOWN_STATION], {"returned_on": today, "reason": "不符合要求"}),
    (
        "funds:request_resubmit",
        "returned",
        [Role.VILLAGE_CLERK, Role.TOWN_STAFF],
        {"project_name": "光伏", "purpose": "设备", "amount": "5"},
    ),
]


def _data(data):
    return {key: value() if callable(value) else value for key, value in (data or {}).items()}


@pytest.mark.parametrize(
    ("name", "record", "roles", "data"),
    RECORD_URLS,
    ids=[f"{name}-{record}" for name, record, _roles, _data in RECORD_URLS],
)
def test_another_towns_users_are_refused_every_record_get_and_post(client, chain_of, name, record, roles, data):
    # given a record of the chain and its URL
    obj = getattr(chain_of, record)
    url = reverse(name, args=[obj.pk])
    post_data = _data(data)
    if name == "funds:allocation_allot":
        post_data["town"] = chain_of.people.town_finance.staff_post.town_id
    # then each role of another town is refused it, by GET and, for a step, by POST
    for role in roles:
        assert_other_town_refused(client, url, role=role)
        if data is not None:  # a record's page takes no POST (405 for everyone); its steps do
            assert_other_town_refused(client, url, role=role, method="post", data=post_data)


def test_a_clerk_of_another_village_in_the_town_is_refused_the_villages_records(client, chain_of, town):
    # given the clerk of another village of the same town
    neighbour = post_user(Role.VILLAGE_CLERK, village=VillageFactory(town=town))
    client.force_login(neighbour)
    # then every record of the first village is not found for them
    for name, pk in [
        ("funds:request_detail", chain_of.submitted.pk),
        ("funds:transfer_detail", chain_of.to_village.pk),
        ("funds:transfer_receive", chain_of.to_village.pk),
        ("funds:request_resubmit", chain_of.returned.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404


def test_a_village_clerk_opens_only_the_allocations_of_their_town(client, chain_of, other_town):
    # given an allocation for another town
    elsewhere = allocation_for(chain_of.people.district_finance, [(other_town, Decimal("10"))])
    # when the village clerk opens both
    client.force_login(chain_of.people.clerk)
    # then only their town's is found
    assert client.get(reverse("funds:allocation_detail", args=[chain_of.allocation.pk])).status_code == 200
    assert client.get(reverse("funds:allocation_detail", args=[elsewhere.pk])).status_code == 404


# (url name, record, people of the record's own town (or the district) whose role does not do the step, POST data)
WRONG_ROLES = [
    ("funds:transfer_send", "to_village", ["district_finance", "town_finance", "clerk", "town_staff", "office"]),
    ("funds:transfer_receive", "to_town", ["district_finance", "station", "town_staff", "office"]),
    ("funds:request_approve", "submitted", ["district_finance", "town_finance", "clerk", "town_staff", "audit"]),
    ("funds:request_return", "submitted", ["town_finance", "clerk", "office"]),
    ("funds:request_resubmit", "returned", ["station", "town_finance", "district_finance", "office"]),
    ("funds:allocation_allot", "allocation", ["town_finance", "station", "town_staff", "office", "audit"]),
]
STEP_DATA = {
    "funds:transfer_send": {"sent_on": today},
    "funds:transfer_receive": {"received_on": today},
    "funds:request_approve": {"approved_on": today},
    "funds:request_return": {"returned_on": today, "reason": "不符合要求"},
    "funds:request_resubmit": {"project_name": "光伏", "purpose": "设备", "amount": "5"},
    "funds:allocation_allot": {"amount": "1.00"},
}


def _user(chain_of, who):
    if who == "office":
        return post_user(Role.DISTRICT_OFFICE)
    if who == "audit":
        return post_user(Role.AUDIT)
    return getattr(chain_of.people, who)


@pytest.mark.parametrize(
    ("name", "record", "who"),
    [(name, record, who) for name, record, people in WRONG_ROLES for who in people],
)
def test_a_role_that_does_not_do_the_step_gets_403_and_writes_nothing(client, chain_of, name, record, who):
    # given a user of the record's own town (or the district) whose role does not do the step
    client.force_login(_user(chain_of, who))
    url = reverse(name, args=[getattr(chain_of, record).pk])
    data = _data(STEP_DATA[name])
    if name == "funds:allocation_allot":
        data["town"] = chain_of.people.town_finance.staff_post.town_id
    # when they open the step and post it
    before = history_head()
    # then both are refused and nothing was written
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert history_head() == before


@pytest.mark.parametrize("who", ["town_finance", "station", "clerk", "town_staff", "office", "audit"])
def test_only_the_finance_bureau_records_allocations(client, chain_of, who):
    # given a user of any other role
    client.force_login(_user(chain_of, who))
    # when they open and post the allocation form
    before = history_head()
    # then both are refused and nothing was written
    assert client.get(reverse("funds:allocation_create")).status_code == 403
    assert client.post(reverse("funds:allocation_create"), {"document_number": "x"}).status_code == 403
    assert history_head() == before


@pytest.mark.parametrize("who", ["district_finance", "town_finance", "station", "office", "audit"])
def test_only_a_village_or_the_town_staff_submit_requests(client, chain_of, who):
    # given a user of another role
    client.force_login(_user(chain_of, who))
    # then the request form is refused to them, GET and POST
    assert client.get(reverse("funds:request_create")).status_code == 403
    assert client.post(reverse("funds:request_create"), {}).status_code == 403


def test_a_request_for_another_towns_village_is_refused_on_the_form(client, chain_of, other_village):
    # given the town staff
    client.force_login(chain_of.people.town_staff)
    before = history_head()
    data = {
        "village": other_village.pk,
        "allocation": chain_of.allocation.pk,
        "project_name": "道路",
        "purpose": "硬化",
        "amount": "5",
    }
    # when they request money for a village of another town
    response = client.post(reverse("funds:request_create"), data)
    # then the form names the village, and nothing was written
    assert response.status_code == 200
    assert "village" in response.context["form"].errors
    assert history_head() == before


def test_a_request_on_an_allocation_of_another_town_is_refused_on_the_form(client, chain_of, other_town, village):
    # given an allocation of another town
    other = allocation_for(chain_of.people.district_finance, [(other_town, Decimal("5.00"))])
    client.force_login(chain_of.people.clerk)
    before = history_head()
    data = {"village": village.pk, "allocation": other.pk, "project_name": "道路", "purpose": "硬化", "amount": "5"}
    # when the clerk requests money from it
    response = client.post(reverse("funds:request_create"), data)
    # then the form names the allocation, and nothing was written
    assert response.status_code == 200
    assert "allocation" in response.context["form"].errors
    assert history_head() == before


def test_the_office_and_auditors_read_every_record_and_do_no_step(client, chain_of):
    # then the office and the auditors open every record and are offered no step
    for who in ("office", "audit"):
        client.force_login(_user(chain_of, who))
        for name, pk in [
            ("funds:allocation_detail", chain_of.allocation.pk),
            ("funds:transfer_detail", chain_of.to_village.pk),
            ("funds:request_detail", chain_of.submitted.pk),
        ]:
            response = client.get(reverse(name, args=[pk]))
            assert response.status_code == 200
            assert 'data-testid="step-' not in response.content.decode()


@pytest.mark.parametrize("role", [Role.TOWN_FINANCE, Role.TOWN_STATION, Role.VILLAGE_CLERK, Role.TOWN_STAFF])
@pytest.mark.parametrize(
    "name", ["funds:overview", "funds:allocation_list", "funds:transfer_list", "funds:request_list"]
)
def test_another_towns_users_find_nothing_of_the_town_in_the_overview_and_lists(client, chain_of, role, name):
    # given a user of another town
    client.force_login(stranger(role))
    # when they open the overview or a list
    response = client.get(reverse(name))
    # then nothing of the town is there, and every queue is empty
    assert response.status_code == 200
    html = response.content.decode()
    assert chain_of.allocation.document_number not in html
    assert chain_of.submitted.project_name not in html
    assert all(queue.count == 0 for queue in response.context.get("queues", []))
