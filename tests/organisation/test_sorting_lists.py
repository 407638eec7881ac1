"""Every sortable list, each of its columns both ways, as the district office, on the demo data: the page answers, and
its rows follow the column (then the primary key), read back from the rows themselves.

The lists are found in the URL configuration (every view that takes ``SortableListMixin``), so a list that takes the
kit later is walked without anyone adding it here."""

import datetime as dt
import io
from decimal import Decimal
from functools import cmp_to_key

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from audits.choices import AccountabilityForm, SubjectKind, SupervisionBody
from audits.models import Accountability, AuditEngagement, Bulletin, PlannedInspection
from funds.models import Allocation, SupervisionFinding
from funds.views.overdue import TABS
from households.models import Household
from notifications.models import Notification
from organisation.models import Town
from organisation.roles import Role
from organisation.sorting import SortableListMixin, SortColumn
from projects.models import AssetEncumbrance, AssistanceAgreement, BlacklistEntry, EncumbranceKind, IndustryProject
from tests.factories.household_records import hospital_stay, renovation
from tests.factories.households import member_born
from tests.factories.organisation import post_user
from tests.factories.projects import EnterpriseFactory

# A list whose columns differ by a query parameter is walked once per value.
VARIANTS = {"funds:overdue_list": [{"tab": tab} for tab in TABS]}

# Lists with fewer than two rows for the district office in the demo data and ``rows_the_demo_lacks``: for them the
# test checks the answer and the header only, and fails once they have rows, so that they join the full check.
FEWER_THAN_TWO_IN_DEMO = {
    "audits:interview_list",
    "audits:order_list",
    "funds:overdue_list-applications",
    "funds:overdue_list-reports",
    "funds:report_list",
    "partners:evaluation_list",
    "reporting:work_report_list",
}


def sortable_lists() -> list[tuple[str, type]]:
    found = []

    def walk(patterns, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, [*namespaces, pattern.namespace] if pattern.namespace else namespaces)
                continue
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class and issubclass(view_class, SortableListMixin) and pattern.name:
                assert not getattr(pattern.pattern, "converters", None), f"{pattern.name} takes arguments"
                found.append((":".join([*namespaces, pattern.name]), view_class))

    walk(get_resolver().url_patterns, [])
    return sorted(found, key=lambda found: found[0])


def columns_of(url_name: str, view_class: type, params: dict) -> tuple[SortColumn, ...]:
    view = view_class()
    view.setup(RequestFactory().get(reverse(url_name), params))
    return tuple(view.sort_columns)


CASES = [
    pytest.param(url_name, params, column, id=f"{url_name}{''.join(f'-{v}' for v in params.values())}-{column.key}")
    for url_name, view_class in sortable_lists()
    for params in VARIANTS.get(url_name, [{}])
    for column in columns_of(url_name, view_class, params)
]


def rows_the_demo_lacks(office) -> None:
    """Two rows, different in every column, for lists the demo leaves short."""
    today = timezone.localdate()
    towns, allocations = list(Town.objects.order_by("code")[:2]), list(Allocation.objects.order_by("pk")[:2])
    for number, household in enumerate(Household.objects.order_by("pk")[:2], start=1):
        town, days = towns[number - 1], dt.timedelta(days=number)
        Bulletin.objects.create(
            title=f"通报{number}",
            body="整改情况",
            units=f"单位{number}",
            published_on=today - days,
            published_by=office,
        )
        Accountability.objects.create(
            person_name=f"责任人{number}",
            person_post="村支部书记",
            unit=f"单位{number}",
            town=town,
            form=list(AccountabilityForm)[number - 1],
            decided_on=today - days,
            document_number=f"兰纪〔{today.year}〕{number}号",
            reason="整改不力",
            recorded_by=office,
        )
        subject = {"subject_kind": SubjectKind.TOWN, "town": town, "body": list(SupervisionBody)[number - 1]}
        PlannedInspection.objects.create(
            **subject, year=today.year, quarter=number, title=f"检查{number}", planned_by=office
        )
        AuditEngagement.objects.create(
            **subject, title=f"审计{number}", starts_on=today - days, recorded_by=office, scope="资金", team="审计组"
        )
        SupervisionFinding.objects.create(note=f"发现{number}", raised_by=office, allocation=allocations[number - 1])
        head = household.members.order_by("pk").first()
        hospital_stay(
            head, total_cost=f"{number}0000.00", self_paid=f"{number}500.00", admitted_on=today - dt.timedelta(number)
        )
        renovation(household)
        member_born(household, today.replace(year=today.year - 6 - 3 * number), name=f"学龄儿童{number}")
        enterprise = EnterpriseFactory(credit_code=f"91371302MA3C0000{number}X")
        AssistanceAgreement.objects.create(
            enterprise=enterprise,
            town=town,
            number=f"XY-{number}",
            signed_on=today - 365 * days,
            ends_on=today + 30 * days,
            recorded_by=office,
        )
        BlacklistEntry.objects.create(enterprise=enterprise, reason="违约", decided_on=today - days, decided_by=office)
        AssetEncumbrance.objects.create(
            project=IndustryProject.objects.order_by("pk")[number - 1],
            kind=list(EncumbranceKind)[number - 1],
            creditor=f"兰山农商银行{number}",
            amount=Decimal(f"{number}00000.00"),
            purpose="流动资金贷款",
            requested_on=today - days,
            requested_by=office,
        )
        Notification.objects.create(
            recipient=office, key=f"sorting-{number}", subject=f"通知{number}", created_at=timezone.now()
        )


@pytest.fixture(scope="module")
def demo_office(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module in a transaction rolled back at its end; and a district office
    user. Each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo_data", stdout=io.StringIO())
            office = post_user(Role.DISTRICT_OFFICE)
            rows_the_demo_lacks(office)
            yield office
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def value_at(row, path: str):
    """The value a field path names on a row (``household__village__code``), None past a missing relation."""
    value = row
    for name in path.split("__"):
        if value is None:
            return None
        value = getattr(value, name)
    return value


def compare(a, b) -> int:
    # PostgreSQL puts NULL after every value in ascending order (and first in descending order).
    if a == b:
        return 0
    if a is None or b is None:
        return 1 if a is None else -1
    return -1 if a < b else 1


def in_order(rows: list, column: SortColumn, descending: bool) -> list:
    """``rows`` sorted in Python as the column asks: its fields (a "-field" the other way), then the primary key."""
    fields = [*column.fields, "pk"]

    def by_column(row_a, row_b) -> int:
        for field in fields:
            flip = field.startswith("-") != descending
            result = compare(value_at(row_a, field.lstrip("-")), value_at(row_b, field.lstrip("-")))
            if result:
                return -result if flip else result
        return 0

    return sorted(rows, key=cmp_to_key(by_column))


@pytest.mark.parametrize(("url_name", "params", "column"), CASES)
def test_every_list_sorts_by_each_of_its_columns_both_ways(client, db, demo_office, url_name, params, column):
    # given the demo data and the district office
    client.force_login(demo_office)
    url = reverse(url_name)

    # when the list is sorted by the column, ascending then descending
    ascending = client.get(url, {**params, "sort": column.key})
    descending = client.get(url, {**params, "sort": f"-{column.key}"})

    # then both answer, the header shows the order, and the rows follow the column
    assert ascending.status_code == descending.status_code == 200
    assert ascending.context["sorting"].state(column.key) == "asc"
    assert descending.context["sorting"].state(column.key) == "desc"
    assert f'data-sort="{column.key}" aria-sort="ascending"' in ascending.content.decode()
    up, down = list(ascending.context["object_list"]), list(descending.context["object_list"])
    if "-".join([url_name, *params.values()]) in FEWER_THAN_TWO_IN_DEMO:
        assert len(up) < 2, f"{url_name} {params} has rows now: take it out of FEWER_THAN_TWO_IN_DEMO"
        return
    assert len(up) >= 2, f"{url_name} shows fewer than two records to sort"
    assert [row.pk for row in up] == [row.pk for row in in_order(up, column, descending=False)]
    assert [row.pk for row in down] == [row.pk for row in in_order(down, column, descending=True)]
    # the first two records of one order are not the first two of the other
    assert [row.pk for row in up[:2]] != [row.pk for row in down[:2]]
