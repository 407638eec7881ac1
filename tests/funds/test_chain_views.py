"""The pages of the disbursement chain: what waits for each role, the lists, the records and each step's form."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext

from funds.models import Allocation, Hop, PaymentRequest, PaymentRequestStatus, Transfer
from funds.selectors.chain import days_left
from funds.services import chain
from organisation.roles import Role
from tests.factories.funds import allocation_for, request_for, to_station, to_town_transfer
from tests.factories.organisation import TownFactory, VillageFactory, post_user
from tests.permission_checks import history_head

TODAY = timezone.localdate


def zh(message: str, **params) -> str:
    """``message`` as a Chinese page shows it (escaped): what the catalogue says, or the English until it does."""
    with translation.override("zh-hans"):
        text = gettext(message)
    return escape(text % params if params else text)


def label_zh(verbose_name: str) -> str:
    """A form label made from a model field's verbose name."""
    return capfirst(zh(verbose_name))


REQUIRED = "这个字段是必填项。"  # Django's own Chinese for a missing field


@pytest.fixture
def allocation(people, town):
    return allocation_for(people.district_finance, [(town, Decimal("100000.00"))], amount=Decimal("150000.00"))


@pytest.fixture
def station_holds(people, allocation, town):
    """The town's share has reached the station."""
    return to_station(people, allocation, town)


@pytest.fixture
def approved(people, allocation, village, station_holds):
    request = request_for(people, allocation, village, Decimal("30000.00"))
    return chain.payment_request_approve(user=people.station, request=request, approved_on=TODAY())


def page(client, user, name, *args, **params):
    client.force_login(user)
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, f"{name} answered {response.status_code}"
    return response


# --- What waits for me --------------------------------------------------------------------------------------------


def queues(response) -> dict:
    return {queue.key: queue for queue in response.context["queues"]}


def test_the_district_finance_bureau_sees_its_unsent_shares_with_days_overdue(client, people, allocation, town):
    # given a share whose 15 days ran out (the allocation was received 30 days ago)
    share = to_town_transfer(allocation, town)
    # when the bureau opens the overview
    response = page(client, people.district_finance, "funds:overview")
    # then the share waits for it, with how many days it is overdue
    waiting = queues(response)
    assert list(waiting) == ["to_town_unsent"]
    assert waiting["to_town_unsent"].rows == [share]
    overdue = -days_left(share.due_date)
    assert overdue > 0
    html = response.content.decode()
    assert allocation.document_number in html
    assert days_overdue_zh(overdue) in html


def days_overdue_zh(days: int) -> str:
    with translation.override("zh-hans"):
        return translation.ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}


def test_the_town_finance_office_confirms_what_arrived_and_forwards_what_it_received(client, people, allocation, town):
    # given the town's share sent by the finance bureau
    share = to_town_transfer(allocation, town)
    chain.transfer_send(user=people.district_finance, transfer=share, sent_on=TODAY())
    # then it waits for the town finance office to confirm it, with nothing to forward
    waiting = queues(page(client, people.town_finance, "funds:overview"))
    assert [row.pk for row in waiting["to_town_to_confirm"].rows] == [share.pk]
    assert waiting["to_station_unsent"].rows == []

    # when the office confirms it
    chain.transfer_receive(user=people.town_finance, transfer=share, received_on=TODAY())
    # then it waits to be forwarded to the station
    waiting = queues(page(client, people.town_finance, "funds:overview"))
    assert waiting["to_town_to_confirm"].rows == []
    assert [row.source_id for row in waiting["to_station_unsent"].rows] == [share.pk]


def test_the_station_confirms_reviews_and_pays(client, people, allocation, town, village):
    # given the money at the station and a village's request
    to_station(people, allocation, town)
    request = request_for(people, allocation, village, Decimal("1000.00"))
    # then the station's overview has its three queues, the request waiting for review
    waiting = queues(page(client, people.station, "funds:overview"))
    assert list(waiting) == ["to_station_to_confirm", "requests_to_review", "to_village_unsent"]
    assert waiting["requests_to_review"].rows == [request]

    # when the station approves it
    chain.payment_request_approve(user=people.station, request=request, approved_on=TODAY())
    # then the request waits to be paid to the village
    waiting = queues(page(client, people.station, "funds:overview"))
    assert waiting["requests_to_review"].rows == []
    assert [row.payment_request_id for row in waiting["to_village_unsent"].rows] == [request.pk]


@pytest.mark.parametrize("who", ["clerk", "town_staff"])
def test_a_village_sees_its_requests_returned_first_and_the_money_to_confirm(
    client, people, allocation, village, approved, who
):
    # given a returned request, a waiting one, and money sent to the village
    returned = request_for(people, allocation, village, Decimal("10.00"))
    chain.payment_request_return(user=people.station, request=returned, returned_on=TODAY(), reason="缺少预算表")
    waiting_request = request_for(people, allocation, village, Decimal("20.00"))
    chain.transfer_send(user=people.station, transfer=approved, sent_on=TODAY())

    # when the village opens the overview
    response = page(client, getattr(people, who), "funds:overview")
    waiting = queues(response)
    # then the returned request comes first, and the money waits to be confirmed
    assert waiting["my_requests"].rows == [returned, waiting_request]
    assert [row.pk for row in waiting["to_village_to_confirm"].rows] == [approved.pk]
    assert 'data-returned="1"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.AUDIT])
def test_the_district_office_and_the_auditors_see_counts(client, people, allocation, town, role):
    # when the district office or the auditors open the overview
    response = page(client, post_user(role), "funds:overview")
    # then they see no queue, only the counts of each hop and of the requests
    assert response.context["queues"] == []
    counts = {row.hop: row for row in response.context["hop_counts"]}
    assert (counts[Hop.TO_TOWN].unsent, counts[Hop.TO_TOWN].overdue) == (1, 1)
    assert counts[Hop.TO_TOWN].unsent_amount == Decimal("100000.00")
    assert response.context["request_counts"]["submitted"] == 0
    assert 'data-testid="chain-counts"' in response.content.decode()


# --- The deadline badge -------------------------------------------------------------------------------------------


@pytest.mark.english
@pytest.mark.parametrize(
    ("days", "provisional", "text"),
    [
        (3, False, "3 days left"),
        (1, True, "1 day left"),
        (0, False, "Due today"),
        (-1, False, "1 day overdue"),
        (-12, False, "12 days overdue"),
    ],
)
def test_the_badge_says_days_left_due_today_or_days_overdue(days, provisional, text):
    # when the badge is drawn for a number of days left
    html = render_to_string("funds/chain/due_badge.html", {"days_left": days, "provisional": provisional})
    # then it says so, and whether the due date is provisional
    assert text in html
    assert ("provisional" in html.split("</span>", 1)[1]) is provisional


def test_the_due_day_counts_as_in_time_until_its_end():
    # given 10 March 2026
    today = dt.date(2026, 3, 10)
    # then a deadline that day has 0 days left, the day before -1, two days later 2; none is None
    assert days_left(dt.date(2026, 3, 10), today=today) == 0
    assert days_left(dt.date(2026, 3, 9), today=today) == -1
    assert days_left(dt.date(2026, 3, 12), today=today) == 2
    assert days_left(None) is None


def test_the_badge_is_chinese_by_default():
    # when the badge is drawn without a language
    html = render_to_string("funds/chain/due_badge.html", {"days_left": -2, "provisional": False})
    # then it is in Chinese
    assert days_overdue_zh(2) in html


# --- Lists --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["district_finance", "town_finance", "station", "clerk", "town_staff"])
@pytest.mark.parametrize("name", ["funds:allocation_list", "funds:transfer_list", "funds:request_list"])
def test_every_list_renders_for_every_role_of_the_chain(client, people, approved, who, name):
    # then every list opens for every role of the chain
    page(client, getattr(people, who), name)


def test_the_office_and_auditors_read_every_list(client, approved, office_user):
    # then the district office opens the overview and every list
    for name in ("funds:overview", "funds:allocation_list", "funds:transfer_list", "funds:request_list"):
        page(client, office_user, name)


def test_lists_show_only_the_users_town(client, people, town, other_town, other_village):
    # given an allocation for the town and one for another town
    mine = allocation_for(people.district_finance, [(town, Decimal("10.00"))])
    theirs = allocation_for(people.district_finance, [(other_town, Decimal("20.00"))])
    # when the town finance office opens the allocation and transfer lists
    response = page(client, people.town_finance, "funds:allocation_list")
    # then only the town's allocation is there
    assert list(response.context["object_list"]) == [mine]
    response = page(client, people.town_finance, "funds:transfer_list")
    assert {transfer.allocation_id for transfer in response.context["object_list"]} == {mine.pk}
    assert theirs.document_number not in response.content.decode()


def test_the_transfer_list_filters_and_totals_the_filtered_set(client, people, town, other_town, allocation):
    # given four transfers: two shares of one allocation, one forwarded to the station
    other = allocation_for(people.district_finance, [(town, Decimal("5.00")), (other_town, Decimal("7.50"))])
    to_station(people, allocation, town)
    user = people.district_finance

    # when the finance bureau filters the list in turn
    everything = page(client, user, "funds:transfer_list")
    # then each filter's totals count only what it shows
    assert everything.context["totals"] == {"count": 4, "amount": Decimal("200012.50")}

    to_town = page(client, user, "funds:transfer_list", hop=Hop.TO_TOWN, town=town.pk)
    assert to_town.context["totals"] == {"count": 2, "amount": Decimal("100005.00")}

    unsent = page(client, user, "funds:transfer_list", state="unsent")
    assert sorted(t.amount for t in unsent.context["object_list"]) == [Decimal("5.00"), Decimal("7.50")]

    searched = page(client, user, "funds:transfer_list", q=other.document_number, allocation="")
    assert searched.context["totals"]["amount"] == Decimal("12.50")
    by_allocation = page(client, user, "funds:transfer_list", allocation=other.pk)
    assert by_allocation.context["totals"]["count"] == 2

    earlier = allocation.received_on - dt.timedelta(days=1)
    nothing = page(client, user, "funds:transfer_list", date_to=earlier.isoformat())
    assert nothing.context["totals"] == {"count": 0, "amount": Decimal("0.00")}


def test_a_filter_value_that_does_not_parse_is_ignored(client, people, allocation):
    # when the list is filtered with values that do not parse
    response = page(client, people.district_finance, "funds:transfer_list", town="x", date_from="不是日期", hop="nope")
    # then they are ignored
    assert response.context["totals"]["count"] == 1


def test_the_request_list_filters_by_status_village_name_and_date(client, people, allocation, village, approved):
    # given an approved request and a returned one
    returned = request_for(people, allocation, village, Decimal("10.00"))
    chain.payment_request_return(user=people.station, request=returned, returned_on=TODAY(), reason="金额有误")
    user = people.station

    # when the station filters the list by status, village, name and date
    response = page(client, user, "funds:request_list", status=PaymentRequestStatus.RETURNED)
    # then each filter shows what it asks for
    assert list(response.context["object_list"]) == [returned]
    assert response.context["totals"] == {"count": 1, "amount": Decimal("10.00")}

    response = page(client, user, "funds:request_list", q=village.name)
    assert response.context["totals"]["count"] == 2
    response = page(client, user, "funds:request_list", q="光伏")
    assert response.context["totals"]["count"] == 2
    tomorrow = TODAY() + dt.timedelta(days=1)
    response = page(client, user, "funds:request_list", date_from=tomorrow.isoformat())
    assert response.context["totals"]["count"] == 0


def test_the_allocation_list_filters_by_town_state_and_search(client, people, town, other_town, allocation):
    # given an open allocation and a fully allotted one
    full = allocation_for(people.district_finance, [(other_town, Decimal("9.00"))])
    user = people.district_finance
    # then the filters by town, state and search find each
    assert list(page(client, user, "funds:allocation_list", town=other_town.pk).context["object_list"]) == [full]
    assert list(page(client, user, "funds:allocation_list", state="open").context["object_list"]) == [allocation]
    assert list(page(client, user, "funds:allocation_list", state="allotted").context["object_list"]) == [full]
    response = page(client, user, "funds:allocation_list", q=full.document_number)
    assert response.context["totals"] == {"count": 1, "amount": Decimal("9.00"), "allotted": Decimal("9.00")}


def test_lists_page_by_25(client, people):
    # given 26 shares
    towns = [TownFactory() for _ in range(26)]
    allocation_for(people.district_finance, [(town, Decimal("1.00")) for town in towns])
    # when the list is opened
    first = page(client, people.district_finance, "funds:transfer_list")
    # then the first page shows 25 (the totals count all 26), the second the last one
    assert len(first.context["object_list"]) == 25
    assert first.context["totals"] == {"count": 26, "amount": Decimal("26.00")}
    assert len(page(client, people.district_finance, "funds:transfer_list", page=2).context["object_list"]) == 1


def _transfer_rows(people, town, village, extra_towns: int):
    """Transfers of every hop (a village's too), plus one share per extra town."""
    towns = [TownFactory() for _ in range(extra_towns)]
    allocation = allocation_for(
        people.district_finance, [(town, Decimal("100.00"))] + [(t, Decimal("1")) for t in towns]
    )
    to_station(people, allocation, town)
    request = request_for(people, allocation, village, Decimal("10.00"))
    chain.payment_request_approve(user=people.station, request=request, approved_on=TODAY())


@pytest.mark.parametrize("who", ["district_finance", "station"])
@pytest.mark.parametrize("name", ["funds:transfer_list", "funds:request_list", "funds:allocation_list"])
def test_a_list_costs_the_same_queries_whatever_the_rows(client, people, town, village, who, name):
    # given a user of the chain and a few transfers
    user = getattr(people, who)
    client.force_login(user)
    url = reverse(name)
    _transfer_rows(people, town, village, extra_towns=1)
    client.get(url)  # caches warmed (content types, the session)

    # when the list is read with a few rows, then with many
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    rows_before = len(response.context["object_list"])
    for _ in range(3):
        _transfer_rows(people, town, village, extra_towns=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    # then it costs the same queries
    assert len(response.context["object_list"]) >= rows_before + 3
    assert len(many) == len(few), "\n".join(query["sql"] for query in many.captured_queries)


# --- Records ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["district_finance", "town_finance", "station", "town_staff"])
def test_the_allocation_page_shows_its_chain_down_to_the_villages(client, people, allocation, village, approved, who):
    # when a user of the chain opens an allocation paid down to a village
    response = page(client, getattr(people, who), "funds:allocation_detail", allocation.pk)
    html = response.content.decode()
    # then the page shows the town's chain, hop by hop, with links to each record
    (town_chain,) = response.context["chain"]
    assert town_chain.to_town.hop == Hop.TO_TOWN
    assert town_chain.to_station.source_id == town_chain.to_town.pk
    assert [request.transfer for request in town_chain.requests] == [approved]
    for transfer in (town_chain.to_town, town_chain.to_station, approved):
        assert transfer.get_absolute_url() in html
    assert approved.payment_request.get_absolute_url() in html
    assert 'id="tab-history"' in html


def test_only_the_finance_bureau_gets_the_allot_button(client, people, allocation):
    # then the allocation page offers allotting to the finance bureau only
    assert response_has(page(client, people.district_finance, "funds:allocation_detail", allocation.pk), "step-allot")
    assert not response_has(page(client, people.town_finance, "funds:allocation_detail", allocation.pk), "step-allot")


def response_has(response, testid: str) -> bool:
    return f'data-testid="{testid}"' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "send", "receive"),
    [("district_finance", True, False), ("town_finance", False, False), ("station", False, False)],
)
def test_the_transfer_page_offers_sending_to_the_sender_only(client, people, allocation, town, who, send, receive):
    # given an overdue share for the town
    share = to_town_transfer(allocation, town)
    # when a user of the chain opens it
    response = page(client, getattr(people, who), "funds:transfer_detail", share.pk)
    # then only the sender is offered the sending, and the page shows it overdue
    assert (response_has(response, "step-send"), response_has(response, "step-receive")) == (send, receive)
    assert response.context["object"].days_left < 0
    assert share.due_date.isoformat() in response.content.decode()


def test_the_transfer_page_offers_the_receipt_to_the_receiver_only(client, people, allocation, town):
    # given a share sent to the town
    share = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=TODAY()
    )
    # then the town finance office is offered the receipt
    assert response_has(page(client, people.town_finance, "funds:transfer_detail", share.pk), "step-receive")
    # and nobody else is offered a step
    for who in ("district_finance", "station", "town_staff"):
        response = page(client, getattr(people, who), "funds:transfer_detail", share.pk)
        assert not (response_has(response, "step-receive") or response_has(response, "step-send"))


def test_a_late_transfer_shows_its_days_late_and_its_overdue_flag(client, people, allocation, town):
    # given a share flagged overdue and then sent late
    share = to_town_transfer(allocation, town)
    Transfer.objects.filter(pk=share.pk).update(overdue_flagged_at=timezone.now())
    chain.transfer_send(user=people.district_finance, transfer=share, sent_on=TODAY())
    share.refresh_from_db()
    assert share.days_late > 0
    # when the station opens it
    response = page(client, people.station, "funds:transfer_detail", share.pk)
    # then its days late, its flag and its clock start are shown
    html = response.content.decode()
    assert 'data-testid="days-late"' in html and f">{share.days_late}<" in html
    assert 'data-testid="overdue-flagged"' in html
    assert 'data-testid="clock-start"' in html


def test_a_provisional_due_date_is_marked(client, people, allocation, town):
    # given a share whose due date is provisional
    share = to_town_transfer(allocation, town)
    Transfer.objects.filter(pk=share.pk).update(due_is_provisional=True)
    # when it is opened
    html = page(client, people.district_finance, "funds:transfer_detail", share.pk).content.decode()
    # then the due date is marked provisional
    assert 'data-testid="due-provisional"' in html


def test_each_due_date_states_its_counting_rule_from_the_hop(client, people, allocation, town, village, station_holds):
    # given the town's share (15 calendar days), the station's hop (5 working days) and a village's transfer
    share = to_town_transfer(allocation, town)
    onward = Transfer.objects.get(allocation=allocation, town=town, hop=Hop.TO_STATION)
    request = request_for(people, allocation, village, Decimal("500.00"))
    chain.payment_request_approve(user=people.station, request=request, approved_on=TODAY())
    # when their pages and the lists are opened
    share_page = page(client, people.district_finance, "funds:transfer_detail", share.pk).content.decode()
    onward_page = page(client, people.district_finance, "funds:transfer_detail", onward.pk).content.decode()
    allocation_page = page(client, people.district_finance, "funds:allocation_detail", allocation.pk).content.decode()
    request_page = page(client, people.station, "funds:request_detail", request.pk).content.decode()
    # then each due date says how it counts: calendar days with the Civil Code's rest-day rule, or working days
    assert 'data-counting="calendar"' in share_page and 'data-counting="working"' not in share_page
    assert "Civil Code, art. 203" in share_page or "民法典第二百零三条" in share_page
    assert 'data-counting="working"' in onward_page and 'data-counting="calendar"' not in onward_page
    assert allocation_page.count('data-testid="due-rule"') == Transfer.objects.filter(allocation=allocation).count()
    assert 'data-counting="working"' in request_page


def test_the_request_page_shows_the_transfer_and_offers_review_to_the_station(
    client, people, allocation, village, station_holds
):
    # given a request of the village
    request = request_for(people, allocation, village, Decimal("500.00"))
    # then the station is offered approving and returning it, the clerk neither
    station_page = page(client, people.station, "funds:request_detail", request.pk)
    assert response_has(station_page, "step-approve") and response_has(station_page, "step-return")
    clerk_page = page(client, people.clerk, "funds:request_detail", request.pk)
    assert not response_has(clerk_page, "step-approve")
    # a village clerk reads the allocation of their town, and may open it
    assert allocation.document_number in clerk_page.content.decode()


def test_the_findings_section_is_on_every_record_page_for_the_district(
    client, people, allocation, approved, office_user
):
    # then the district office finds the findings on every record's page
    for name, pk in [
        ("funds:allocation_detail", allocation.pk),
        ("funds:transfer_detail", approved.pk),
        ("funds:request_detail", approved.payment_request_id),
    ]:
        assert response_has(page(client, office_user, name, pk), "findings")


# --- Allocation form ----------------------------------------------------------------------------------------------


def allocation_data(town, *shares, amount="100000.00", **fields):
    data = {
        "document_number": "鲁财农指〔2018〕12号",
        "title": "2018年省级财政专项扶贫资金",
        "issued_by": "山东省财政厅",
        "year": "2018",
        "amount": amount,
        "received_on": TODAY().isoformat(),
        "note": "",
        "shares-TOTAL_FORMS": str(max(len(shares), 1)),
        "shares-INITIAL_FORMS": "0",
        "shares-MIN_NUM_FORMS": "0",
        "shares-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, (share_town, share_amount) in enumerate(shares):
        data[f"shares-{index}-town"] = share_town.pk if share_town else ""
        data[f"shares-{index}-amount"] = share_amount
    return data


def test_the_allocation_form_defaults_to_today(client, people):
    # when the finance bureau opens the allocation form
    response = page(client, people.district_finance, "funds:allocation_create")
    # then the receipt date is today
    assert response.context["form"].initial["received_on"] == TODAY()
    assert f'value="{TODAY().isoformat()}"' in response.content.decode()


def test_an_allocation_is_recorded_with_its_shares(client, people, town, other_town):
    # given the finance bureau and an allocation of two shares (and an empty row)
    client.force_login(people.district_finance)
    data = allocation_data(town, (town, "60000.00"), (other_town, "40000.00"), (None, ""))
    data["shares-TOTAL_FORMS"] = "3"
    # when it is posted
    response = client.post(reverse("funds:allocation_create"), data)
    # then the allocation is recorded with both shares, each due at least 15 days later
    allocation = Allocation.objects.get()
    assert response.status_code == 302 and response["Location"] == allocation.get_absolute_url()
    assert allocation.document_number == "鲁财农指〔2018〕12号"
    assert allocation.allotted == Decimal("100000.00")
    shares = {t.town: (t.amount, t.due_date) for t in Transfer.objects.filter(hop=Hop.TO_TOWN)}
    assert shares[town][0] == Decimal("60000.00") and shares[other_town][0] == Decimal("40000.00")
    assert shares[town][1] >= TODAY() + dt.timedelta(days=15)


def test_shares_above_the_amount_are_refused_in_chinese_and_nothing_is_saved(client, people, town, other_town):
    # given shares of 110,000 yuan for an allocation of 100,000
    client.force_login(people.district_finance)
    before = history_head()
    data = allocation_data(town, (town, "60000.00"), (other_town, "50000.00"))
    # when they are posted
    response = client.post(reverse("funds:allocation_create"), data)
    # then the form says so in Chinese above the shares, and nothing was written
    assert response.status_code == 200
    message = zh(
        "The shares add up to %(total)s yuan, more than the allocation's %(amount)s yuan.",
        total=Decimal("110000.00"),
        amount=Decimal("100000.00"),
    )
    assert response.context["share_errors"]
    html = response.content.decode()
    assert message in html
    assert zh("Shares for towns") + "：" + message in html
    assert not Allocation.objects.exists() and not Transfer.objects.exists()
    assert history_head() == before


def test_a_document_number_recorded_before_is_named_on_its_field(client, people, town, allocation):
    # given an allocation posted under a document number already recorded
    client.force_login(people.district_finance)
    data = allocation_data(town, (town, "1.00"), document_number=allocation.document_number)
    # when it is posted
    response = client.post(reverse("funds:allocation_create"), data)
    # then the document number is refused on its field, and no second allocation exists
    assert response.status_code == 200
    errors = response.context["form"].errors["document_number"]
    assert errors == [gettext_zh("An allocation with this document number is already recorded.")]
    assert label_zh("document number") + "：" + errors[0] in response.content.decode()
    assert Allocation.objects.count() == 1


def gettext_zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def test_missing_fields_and_a_town_twice_are_named_in_chinese(client, people, town):
    # when an allocation without a title is posted
    client.force_login(people.district_finance)
    data = allocation_data(town, (town, "1.00"), (town, "2.00"), title="")
    response = client.post(reverse("funds:allocation_create"), data)
    # then the title is named as required
    html = response.content.decode()
    assert response.status_code == 200
    assert label_zh("title") + "：" + REQUIRED in html
    assert not Allocation.objects.exists()

    # when one town is given two shares
    data = allocation_data(town, (town, "1.00"), (town, "2.00"))
    response = client.post(reverse("funds:allocation_create"), data)
    # then that is named, and nothing was written
    assert zh("Each town may be given only one share of an allocation.") in response.content.decode()
    assert not Allocation.objects.exists()


def test_a_share_row_with_a_town_and_no_amount_is_named(client, people, town):
    # when a share row with a town and no amount is posted
    client.force_login(people.district_finance)
    response = client.post(reverse("funds:allocation_create"), allocation_data(town, (town, "")))
    # then its amount is named as required, and nothing was written
    assert response.status_code == 200
    assert label_zh("amount (yuan)") + "：" + REQUIRED in response.content.decode()
    assert not Allocation.objects.exists()


def test_a_future_receipt_date_is_named_on_its_field(client, people, town):
    # when an allocation received tomorrow is posted
    client.force_login(people.district_finance)
    tomorrow = TODAY() + dt.timedelta(days=1)
    response = client.post(reverse("funds:allocation_create"), allocation_data(town, received_on=tomorrow.isoformat()))
    # then the receipt date is refused, and nothing was written
    assert "received_on" in response.context["form"].errors
    assert not Allocation.objects.exists()


def test_one_more_town_is_given_a_share(client, people, allocation, other_town, town):
    # given the finance bureau on the allot form of an allocation with the town's share
    client.force_login(people.district_finance)
    url = reverse("funds:allocation_allot", args=[allocation.pk])
    form = client.get(url).context["form"]
    # then only towns without a share are offered
    assert town not in form.fields["town"].queryset and other_town in form.fields["town"].queryset
    # when another town is given 50,000
    response = client.post(url, {"town": other_town.pk, "amount": "50000.00"})
    # then its share is there
    assert response.status_code == 302
    assert to_town_transfer(allocation, other_town).amount == Decimal("50000.00")


def test_a_share_above_what_is_left_is_named_on_the_amount(client, people, allocation, other_town):
    # when a share one fen above what is left is posted
    client.force_login(people.district_finance)
    response = client.post(
        reverse("funds:allocation_allot", args=[allocation.pk]), {"town": other_town.pk, "amount": "50000.01"}
    )
    # then the amount is refused, and no share was written
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    assert not Transfer.objects.filter(town=other_town).exists()


# --- Steps --------------------------------------------------------------------------------------------------------


def test_each_hop_is_sent_and_confirmed_through_its_pages(client, people, allocation, town):
    # given the town's share
    share = to_town_transfer(allocation, town)
    today = TODAY().isoformat()

    # when the finance bureau sends it
    client.force_login(people.district_finance)
    form = client.get(reverse("funds:transfer_send", args=[share.pk])).context["form"]
    assert form.initial["sent_on"] == TODAY()
    response = client.post(
        reverse("funds:transfer_send", args=[share.pk]), {"sent_on": today, "voucher_number": "PZ-1"}
    )
    # then it is sent, with its voucher
    assert response.status_code == 302
    share.refresh_from_db()
    assert (share.sent_on, share.voucher_number, share.sent_by) == (TODAY(), "PZ-1", people.district_finance)

    # when the town finance office confirms it and forwards it
    client.force_login(people.town_finance)
    response = client.post(reverse("funds:transfer_receive", args=[share.pk]), {"received_on": today})
    onward = Transfer.objects.get(source=share)
    # then the page goes on to the onward transfer
    assert response["Location"] == onward.get_absolute_url()
    client.post(reverse("funds:transfer_send", args=[onward.pk]), {"sent_on": today})

    # when the station confirms it
    client.force_login(people.station)
    client.post(reverse("funds:transfer_receive", args=[onward.pk]), {"received_on": today})
    onward.refresh_from_db()
    # then the onward transfer is received by the station
    assert onward.received_on == TODAY() and onward.received_by == people.station


def test_a_sending_dated_tomorrow_is_named_on_the_date(client, people, allocation, town):
    # given the town's share
    share = to_town_transfer(allocation, town)
    client.force_login(people.district_finance)
    tomorrow = TODAY() + dt.timedelta(days=1)
    # when the finance bureau sends it dated tomorrow
    response = client.post(reverse("funds:transfer_send", args=[share.pk]), {"sent_on": tomorrow.isoformat()})
    # then the date is refused in Chinese, and the share is not sent
    assert response.status_code == 200
    expected = gettext_zh("The date cannot be later than today (%(today)s).") % {"today": TODAY()}
    assert response.context["form"].errors["sent_on"] == [expected]
    assert label_zh("sent on") + "：" + escape(expected) in response.content.decode()
    share.refresh_from_db()
    assert share.sent_on is None


def test_sending_twice_is_told_above_the_form(client, people, allocation, town):
    # given a share already sent
    share = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=TODAY()
    )
    client.force_login(people.district_finance)
    # when it is sent again
    response = client.post(reverse("funds:transfer_send", args=[share.pk]), {"sent_on": TODAY().isoformat()})
    # then the form says so above its fields
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_a_receipt_without_a_date_is_refused(client, people, allocation, town):
    # given a share sent to the town
    share = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=TODAY()
    )
    client.force_login(people.town_finance)
    # when the town finance office confirms it without a date
    response = client.post(reverse("funds:transfer_receive", args=[share.pk]), {"received_on": ""})
    # then the date is named as required, and nothing is received
    assert label_zh("received on") + "：" + REQUIRED in response.content.decode()
    share.refresh_from_db()
    assert share.received_on is None


@pytest.mark.parametrize("who", ["clerk", "town_staff"])
def test_a_village_submits_a_request(client, people, allocation, village, who):
    # given a user of the village on the request form
    user = getattr(people, who)
    client.force_login(user)
    form = client.get(reverse("funds:request_create")).context["form"]
    # then the town's allocation and the village are offered
    assert list(form.fields["allocation"].queryset) == [allocation]
    assert village in form.fields["village"].queryset
    # when they submit a request
    response = client.post(
        reverse("funds:request_create"),
        {
            "village": village.pk,
            "allocation": allocation.pk,
            "project_name": "村集体光伏电站",
            "purpose": "设备款",
            "amount": "30000.00",
        },
    )
    # then it is submitted for the village
    request = PaymentRequest.objects.get()
    assert response["Location"] == request.get_absolute_url()
    assert (request.village, request.submitted_by, request.status) == (village, user, PaymentRequestStatus.SUBMITTED)


def test_a_request_without_a_purpose_is_named_in_chinese(client, people, allocation, village):
    # when the clerk submits a request without a purpose
    client.force_login(people.clerk)
    data = {"village": village.pk, "allocation": allocation.pk, "project_name": "道路", "purpose": "", "amount": "1"}
    response = client.post(reverse("funds:request_create"), data)
    # then the purpose is named as required, and nothing was written
    assert label_zh("purpose of the payment") + "：" + REQUIRED in response.content.decode()
    assert not PaymentRequest.objects.exists()


def test_a_request_above_the_towns_share_is_told_on_the_form_at_submission(client, people, allocation, village):
    # when the clerk asks for one fen more than the town's 100,000 yuan share
    client.force_login(people.clerk)
    data = {"village": village.pk, "allocation": allocation.pk, "project_name": "道路", "purpose": "修路"}
    response = client.post(reverse("funds:request_create"), {**data, "amount": "100000.01"})
    # then the form names the remaining share, and nothing was written
    assert response.status_code == 200
    assert "100,000.00" in str(response.context["form"].errors["amount"])
    assert not PaymentRequest.objects.exists()


def test_the_station_approves_and_the_village_transfer_is_due_in_5_working_days(
    client, people, allocation, village, station_holds
):
    # given a village's request and the station on its approve form
    request = request_for(people, allocation, village, Decimal("30000.00"))
    client.force_login(people.station)
    url = reverse("funds:request_approve", args=[request.pk])
    # then the approval date is today
    assert client.get(url).context["form"].initial["approved_on"] == TODAY()
    # when the station approves it
    response = client.post(url, {"approved_on": TODAY().isoformat()})
    # then a transfer to the village starts its clock today
    assert response["Location"] == request.get_absolute_url()
    transfer = Transfer.objects.get(payment_request=request)
    assert (transfer.hop, transfer.clock_start, transfer.amount) == (Hop.TO_VILLAGE, TODAY(), Decimal("30000.00"))
    assert transfer.due_date > TODAY()


def test_approving_more_than_the_station_holds_is_told_and_writes_nothing(
    client, people, allocation, village, station_holds
):
    # given two requests of 60,000 within the town's 100,000, the first approved: the station holds 40,000
    first = request_for(people, allocation, village, Decimal("60000.00"))
    request = request_for(people, allocation, village, Decimal("60000.00"))
    chain.payment_request_approve(user=people.station, request=first, approved_on=TODAY())
    client.force_login(people.station)
    before = history_head()
    # when the station approves it
    response = client.post(reverse("funds:request_approve", args=[request.pk]), {"approved_on": TODAY().isoformat()})
    # then the form says why, nothing was written, and the request waits
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert history_head() == before
    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.SUBMITTED


def test_the_station_returns_a_request_with_its_reason_and_the_village_resubmits(client, people, allocation, village):
    # given a village's request
    request = request_for(people, allocation, village, Decimal("300.00"))
    client.force_login(people.station)
    url = reverse("funds:request_return", args=[request.pk])
    # when the station returns it without a reason, the reason is named as required
    response = client.post(url, {"returned_on": TODAY().isoformat(), "reason": ""})
    assert label_zh("reason for returning") + "：" + REQUIRED in response.content.decode()
    # when it returns it with a reason
    response = client.post(url, {"returned_on": TODAY().isoformat(), "reason": "缺少村民代表会议记录"})
    # then the request is returned with the reason
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.return_reason) == (PaymentRequestStatus.RETURNED, "缺少村民代表会议记录")

    # when the clerk opens it, the reason and the resubmission are there
    client.force_login(people.clerk)
    detail = page(client, people.clerk, "funds:request_detail", request.pk)
    assert response_has(detail, "step-resubmit") and response_has(detail, "return-reason")
    url = reverse("funds:request_resubmit", args=[request.pk])
    assert client.get(url).context["form"].initial["amount"] == Decimal("300.00")
    # when the clerk resubmits it for less
    response = client.post(
        url, {"project_name": "村集体光伏电站", "purpose": "设备款（附会议记录）", "amount": "280.00"}
    )
    # then it is submitted again
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.amount) == (PaymentRequestStatus.SUBMITTED, Decimal("280.00"))


def test_the_village_confirms_the_money_arrived(client, people, approved):
    # given the money sent to the village
    chain.transfer_send(user=people.station, transfer=approved, sent_on=TODAY())
    client.force_login(people.clerk)
    # when the clerk confirms it
    response = client.post(reverse("funds:transfer_receive", args=[approved.pk]), {"received_on": TODAY().isoformat()})
    # then the transfer is received today, and its page says so
    assert response["Location"] == approved.get_absolute_url()
    approved.refresh_from_db()
    assert approved.received_on == TODAY()
    html = page(client, people.clerk, "funds:transfer_detail", approved.pk).content.decode()
    assert TODAY().isoformat() in html.split('data-testid="received-on">')[1]


def test_town_staff_submit_for_any_village_of_their_town(client, people, allocation, town):
    # given a second village of the town
    second = VillageFactory(town=town)
    client.force_login(people.town_staff)
    form = client.get(reverse("funds:request_create")).context["form"]
    # then the town staff are offered every village of the town
    assert village_choices(form) >= {people.clerk.staff_post.village, second}
    data = {
        "village": second.pk,
        "allocation": allocation.pk,
        "project_name": "道路",
        "purpose": "硬化",
        "amount": "5",
    }
    # when they submit for the second village, the request is for it
    assert client.post(reverse("funds:request_create"), data).status_code == 302
    assert PaymentRequest.objects.get().village == second


def village_choices(form) -> set:
    return set(form.fields["village"].queryset)


def test_a_step_already_done_sends_the_user_back_to_the_record(client, people, allocation, town):
    # given a share already sent
    share = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=TODAY()
    )
    client.force_login(people.district_finance)
    # when its send page is opened
    response = client.get(reverse("funds:transfer_send", args=[share.pk]), follow=True)
    # then the user is sent back to the record with a warning
    assert response.redirect_chain == [(share.get_absolute_url(), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_a_superuser_sees_every_queue_and_the_counts(client, superuser, approved):
    # when a superuser opens the overview
    client.force_login(superuser)
    response = client.get(reverse("funds:overview"))
    # then every queue and the counts are there
    assert response.status_code == 200
    assert len(response.context["queues"]) == 8
    assert response.context["hop_counts"]


def test_a_share_of_nothing_is_named_on_its_row(client, people, town):
    # when an allocation with a share of 0 is posted
    client.force_login(people.district_finance)
    response = client.post(reverse("funds:allocation_create"), allocation_data(town, (town, "0")))
    # then the amount is refused on the share's row, not the allocation's, and nothing was written
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["amount"]
    assert "amount" not in response.context["form"].errors
    assert not Allocation.objects.exists()


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("funds:transfer_list", "funds_transfer"),
        ("funds:request_list", "funds_paymentrequest"),
        ("funds:allocation_list", "funds_allocation"),
    ],
)
def test_a_list_counts_its_rows_once_for_its_totals_and_its_pages(client, people, town, village, name, table):
    """The paginator takes its count from the list's totals, which count every row the filters match anyway."""
    _transfer_rows(people, town, village, extra_towns=2)
    client.force_login(people.district_finance)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and f'FROM "{table}"' in q["sql"]]
    assert len(counts) == 1, counts
    assert response.context["paginator"].count == response.context["totals"]["count"] > 0
