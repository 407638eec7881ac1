"""The record a signal came from shows its ledger item, with its number and status, once the scan raised it."""

import pytest
from django.urls import reverse

from audits.models import RectificationItem
from audits.services.scan import ledger_scan
from organisation.roles import Role
from tests.factories.audits import signals_of_each_kind


@pytest.mark.django_db
def test_each_source_records_page_links_to_its_ledger_item(client, town, village, make_user):
    # given one record of each kind, raised as items by the scan, and the district office reading the other apps
    office = make_user(Role.DISTRICT_OFFICE)
    records = signals_of_each_kind(town, village, office, 1)
    ledger_scan()
    client.force_login(office)
    transfer, report, finding = records["transfers"][0], records["reports"][0], records["findings"][0]
    problem, plan, loan = records["quality_problems"][0], records["rectification_plans"][0], records["loans"][0]
    pages = [
        (reverse("funds:transfer_detail", args=[transfer.pk]), RectificationItem.objects.get(transfer=transfer)),
        (reverse("funds:report_detail", args=[report.pk]), RectificationItem.objects.get(monthly_report=report)),
        (reverse("funds:finding_list"), RectificationItem.objects.get(finding=finding)),
        (reverse("funds:loan_detail", args=[loan.pk]), RectificationItem.objects.get(loan=loan)),
        (reverse("projects:plan_detail", args=[plan.pk]), RectificationItem.objects.get(rectification_plan=plan)),
        # the household page's Data quality tab, drawn with the page when the address names it
        (
            reverse("households:household_detail", args=[problem.household_id]) + "?tab=quality",
            RectificationItem.objects.get(quality_problem=problem),
        ),
    ]
    # then each page names the item and links to it
    for url, item in pages:
        page = client.get(url).content.decode()
        assert item.number in page and reverse("audits:item_detail", args=[item.pk]) in page, url
