"""The supervision pages: who sees and does what, another town refused on every page, filters and the reply form."""

import pytest
from django.urls import reverse

from audits.choices import AccountabilityForm
from audits.models import Bulletin, SupervisionOrder
from audits.services import supervision
from tests.factories.audits import interview_held, item_raised, working_day_after


@pytest.fixture
def records(town, office, auditor, clock):
    """An order, an interview, an accountability record and a bulletin about one item of the town."""
    item = item_raised(office, town)
    order = supervision.order_issue(
        user=office, town=town, addressee="镇党委、政府", requirement="限期整改", items=[item]
    )
    interview = interview_held(auditor, town, [item], clock.today, working_day_after(clock.ago(-15)))
    accountability = supervision.accountability_record(
        user=auditor,
        person_name="王某",
        person_post="镇长",
        unit="镇人民政府",
        town=town,
        form=AccountabilityForm.REMINDER_TALK,
        decided_on=clock.today,
        document_number="兰纪〔2026〕1号",
        reason="整改不力",
        items=[item],
    )
    bulletin = supervision.bulletin_publish(
        user=office, title="典型问题通报", body="通报内容", units="某镇", items=[item]
    )
    return {
        "item": item,
        "order": order,
        "interview": interview,
        "accountability": accountability,
        "bulletin": bulletin,
    }


DETAIL_PAGES = {
    "order": "audits:order_detail",
    "interview": "audits:interview_detail",
    "accountability": "audits:accountability_detail",
}
LIST_PAGES = ["audits:order_list", "audits:interview_list", "audits:accountability_list", "audits:bulletin_list"]
OFFICE_FORMS = ["audits:order_issue", "audits:interview_record", "audits:bulletin_publish"]


@pytest.mark.django_db
def test_the_town_and_the_district_see_every_page_of_the_towns_records(client, records, office, staff, auditor):
    for user in (office, staff, auditor):
        client.force_login(user)
        for name in LIST_PAGES:
            assert client.get(reverse(name)).status_code == 200, (user, name)
        for kind, name in DETAIL_PAGES.items():
            response = client.get(reverse(name, args=[records[kind].pk]))
            assert response.status_code == 200, (user, name)
            assert records["item"].number in response.content.decode()
        assert client.get(reverse("audits:bulletin_detail", args=[records["bulletin"].pk])).status_code == 200


@pytest.mark.django_db
def test_another_towns_user_is_refused_on_every_page(client, records, other_staff):
    # given a user of another town
    client.force_login(other_staff)
    # then the town's records are not found, its lists show none of them, and the office's forms are forbidden
    for kind, name in DETAIL_PAGES.items():
        assert client.get(reverse(name, args=[records[kind].pk])).status_code == 404, name
    assert client.get(reverse("audits:order_reply", args=[records["order"].pk])).status_code == 404
    for name in LIST_PAGES[:3]:
        response = client.get(reverse(name))
        assert response.status_code == 200 and records["item"].number not in response.content.decode(), name
    assert records["order"].number not in client.get(reverse("audits:order_list")).content.decode()
    for name in [*OFFICE_FORMS, "audits:accountability_record"]:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.post(reverse("audits:ledger_scan_run")).status_code == 403


@pytest.mark.django_db
def test_a_bulletin_is_read_by_another_towns_user(client, records, other_staff):
    client.force_login(other_staff)
    response = client.get(reverse("audits:bulletin_detail", args=[records["bulletin"].pk]))
    assert response.status_code == 200 and "典型问题通报" in response.content.decode()


@pytest.mark.django_db
def test_the_office_issues_an_order_through_its_page(client, town, office, staff):
    # given an open item of the town
    item = item_raised(office, town)
    client.force_login(office)
    # when the office fills in the order page
    response = client.post(
        reverse("audits:order_issue"),
        {
            "town": town.pk,
            "addressee": "镇党委、政府",
            "requirement": "限期整改",
            "issued_on": item.clock_start.isoformat(),
            "items": [item.pk],
        },
    )
    # then the order is issued and its page shown
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert list(order.items.all()) == [item]


@pytest.mark.django_db
def test_the_town_replies_through_the_order_page(client, records, staff, clock):
    # given the order's page, which offers the town's staff the reply
    order = records["order"]
    client.force_login(staff)
    assert reverse("audits:order_reply", args=[order.pk]) in client.get(order.get_absolute_url()).content.decode()
    # when the staff reply
    response = client.post(
        reverse("audits:order_reply", args=[order.pk]), {"reply": "已整改到位", "replied_on": clock.today.isoformat()}
    )
    # then the reply is on the order
    order.refresh_from_db()
    assert response.status_code == 302 and order.reply == "已整改到位"


@pytest.mark.django_db
def test_the_order_list_filters_by_reply(client, records, office, staff):
    # given one order replied and one not
    order = records["order"]
    supervision.order_reply(user=staff, order=order, reply="已整改")
    other = supervision.order_issue(
        user=office,
        town=order.town,
        addressee="镇党委、政府",
        requirement="限期整改",
        items=[item_raised(office, order.town)],
    )
    client.force_login(office)
    # when the list is filtered by "not replied", then only the other one shows
    page = client.get(reverse("audits:order_list"), {"replied": "no"}).content.decode()
    assert other.number in page and order.number not in page
    page = client.get(reverse("audits:order_list"), {"q": order.number}).content.decode()
    assert order.number in page and other.number not in page


@pytest.mark.django_db
def test_the_forms_offer_the_open_items_of_the_town_chosen(client, town, other_town, office):
    # given an open item in each of two towns
    mine, theirs = item_raised(office, town), item_raised(office, other_town)
    client.force_login(office)
    # when no town is chosen, no item is offered; when the town is chosen, only its items
    for name in OFFICE_FORMS:
        assert mine.number not in client.get(reverse(name)).content.decode(), name
        page = client.get(reverse(name), {"town": town.pk}).content.decode()
        assert mine.number in page and theirs.number not in page, name


@pytest.mark.django_db
def test_the_office_publishes_a_bulletin_naming_items_through_its_page(client, town, office, clock):
    # given an open item of the town
    item = item_raised(office, town)
    client.force_login(office)
    # when the office publishes a bulletin naming it
    response = client.post(
        reverse("audits:bulletin_publish"),
        {
            "town": town.pk,
            "title": "典型问题通报",
            "body": "通报内容",
            "units": "某镇人民政府",
            "published_on": clock.today.isoformat(),
            "items": [item.pk],
        },
    )
    # then the bulletin names the item
    assert response.status_code == 302
    assert list(Bulletin.objects.get().items.all()) == [item]
