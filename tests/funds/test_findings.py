"""Point 6: the audit bureau reads every funds record and raises findings on them; nobody else does."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funds.models import SupervisionFinding
from organisation.roles import Role
from tests.factories.funds import ChainPeople, allocation_for, to_town_transfer
from tests.permission_checks import assert_other_town_refused


@pytest.fixture
def share(town, village):
    people = ChainPeople.for_town(town, village)
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    return to_town_transfer(allocation, town)


@pytest.mark.english
def test_the_audit_bureau_raises_a_finding_on_a_transfer(client, make_user, share):
    # given an auditor on the finding form of a transfer
    auditor = make_user(Role.AUDIT)
    client.force_login(auditor)
    url = reverse("funds:finding_create", args=["transfer", share.pk])
    assert client.get(url).status_code == 200
    # when they raise a finding
    response = client.post(url, {"note": "拨付凭证缺少经办人签字"})
    # then it is recorded on the transfer, and the findings list finds it
    assert response.status_code == 302 and response.url == share.get_absolute_url()
    finding = SupervisionFinding.objects.get()
    assert (finding.transfer, finding.raised_by, finding.subject) == (share, auditor, share)
    listing = client.get(reverse("funds:finding_list"), {"q": "经办人"})
    assert "拨付凭证缺少经办人签字" in listing.content.decode()


@pytest.mark.english
def test_an_empty_finding_is_refused_with_the_field_named(client, make_user, share):
    # when an auditor raises a finding of blanks
    client.force_login(make_user(Role.AUDIT))
    response = client.post(reverse("funds:finding_create", args=["transfer", share.pk]), {"note": "  "})
    # then the note is named as required, and nothing was written
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not SupervisionFinding.objects.exists()


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE])
def test_only_the_audit_bureau_raises_findings(client, make_user, share, role):
    # given a district user of another role
    client.force_login(make_user(role))
    url = reverse("funds:finding_create", args=["transfer", share.pk])
    # then raising a finding is refused, and nothing was written
    assert client.post(url, {"note": "x"}).status_code == 403
    assert not SupervisionFinding.objects.exists()


def test_towns_see_no_findings_list(client, make_user, town):
    # when a town finance office opens the findings list
    client.force_login(make_user(Role.TOWN_FINANCE, town=town))
    response = client.get(reverse("funds:finding_list"))
    # then it is empty
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []


def test_an_unknown_kind_of_record_is_not_found(client, make_user, share):
    # given an auditor
    client.force_login(make_user(Role.AUDIT))
    # then a finding on a kind of record the funds do not have is not found
    assert client.get(reverse("funds:finding_create", args=["household", share.pk])).status_code == 404


def test_another_towns_user_cannot_reach_the_finding_page(client, share):
    # given the finding page of a transfer
    url = reverse("funds:finding_create", args=["transfer", share.pk])
    # then another town's staff are refused it
    assert_other_town_refused(client, url, role=Role.TOWN_STAFF, method="post", data={"note": "x"})
