"""A list export follows the list's sort (issue 13): asked for from a page sorted by a column (``?sort=key`` or
``?sort=-key``), its rows come in the order the page shows them, for every registered kind and every column its page
sorts by; the page's own sort columns are applied (``organisation.sorting.list_sorting``), never a copy."""

import datetime as dt
from itertools import groupby

import pytest
from django.urls import resolve, reverse

from organisation.export_services import export_job_run
from organisation.exports import export_of
from organisation.models import ExportJob
from organisation.sorting import list_sorting
from tests.organisation.test_list_exports import CASES, ask, column, sheet_of

pytestmark = pytest.mark.django_db


def sort_keys(kind, params) -> list[str]:
    view_class = resolve(reverse(export_of(kind).list_url)).func.view_class
    return list(list_sorting(view_class, params).columns)


def shown(value) -> str:
    return str(value.date() if isinstance(value, dt.datetime) else value)


def in_order(values) -> list[str]:
    """The keys in the order they come, a key repeated on consecutive rows (a household's members) once."""
    return [key for key, _rows in groupby(shown(value) for value in values)]


@pytest.mark.parametrize("kind", sorted(CASES))
def test_an_export_of_a_sorted_list_has_the_rows_in_the_pages_order(
    kind, client, make_user, town, village, other_village
):
    # given a filtered list, sorted by each of its columns in turn, both ways
    case = CASES[kind](make_user, town, village, other_village)
    client.force_login(case.user)
    keys = sort_keys(kind, case.params)
    assert keys, f"{kind}: its page sorts by no column"
    for key in keys:
        for sort in (key, f"-{key}"):
            params = {**case.params, "sort": sort}
            # when the page is shown and the export asked for from it
            page = client.get(reverse(case.list_url), params)
            assert page.status_code == 200
            paginator = page.context["paginator"]
            rows = paginator.object_list if paginator is not None else page.context["object_list"]
            listed = in_order(case.key(row) for row in rows)
            ask(client, kind, params)
            job = ExportJob.objects.filter(owner=case.user, kind=kind).latest("pk")
            sheet = sheet_of(export_job_run(job_id=job.pk))
            # then the export's rows come in the page's order
            assert in_order(column(sheet, case.key_column)) == listed, f"{kind} ?sort={sort}"


def test_the_export_keeps_the_default_order_without_a_sort_and_ignores_an_unknown_one(
    client, make_user, town, village, other_village
):
    # given the projects list, unsorted and with a sort key it does not have
    case = CASES["projects.projects"](make_user, town, village, other_village)
    client.force_login(case.user)
    for params in (case.params, {**case.params, "sort": "-no_such_column"}):
        page = client.get(reverse(case.list_url), params)
        listed = in_order(case.key(row) for row in page.context["paginator"].object_list)
        ask(client, "projects.projects", params)
        job = ExportJob.objects.filter(owner=case.user).latest("pk")
        # then the export's rows come as the page shows them
        assert in_order(column(sheet_of(export_job_run(job_id=job.pk)), case.key_column)) == listed
