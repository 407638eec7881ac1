"""No page shows a full resident ID number, to any role, except through the logged reveal: a crawler walks every page
reachable from a household (the list, the household page and its tabs, the member and household forms, and every
page they link to) as every role and searches each response for the full number; every registered list export is
written as every role and its cells searched, full numbers only where asked for by a role allowed, and logged."""

import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from households.id_numbers import id_number_mask
from households.models import IdNumberReveal
from households.permissions import may_reveal_id_numbers
from organisation.export_services import export_job_create, export_job_run
from organisation.exports import registered
from organisation.models import ExportStatus
from organisation.roles import Role
from tests.factories.households import MemberFactory, member_born

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|hx-get|action)="([^"#]+)"')
# The household file's pages; the menu's other domains hold no member.
FOLLOWED = ("/households/",)
PAGES_MAX = 150


def role_users(make_user, village):
    return {
        Role.DISTRICT_OFFICE: make_user(Role.DISTRICT_OFFICE),
        Role.DISTRICT_FINANCE: make_user(Role.DISTRICT_FINANCE),
        Role.AUDIT: make_user(Role.AUDIT),
        Role.TOWN_STAFF: make_user(Role.TOWN_STAFF, town=village.town),
        Role.TOWN_FINANCE: make_user(Role.TOWN_FINANCE, town=village.town),
        Role.TOWN_STATION: make_user(Role.TOWN_STATION, town=village.town),
        Role.VILLAGE_CLERK: make_user(Role.VILLAGE_CLERK, village=village),
    }


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def crawl(client, start: list[str]):
    """Every page reachable from ``start`` within the household file: (url, status, body)."""
    seen, queue, pages = set(start), list(start), []
    while queue and len(pages) < PAGES_MAX:
        url = queue.pop(0)
        response = client.get(url)
        body = body_of(response)
        pages.append((url, response.status_code, body))
        if response.status_code in (301, 302):
            found = [response["Location"]]
        elif response.get("Content-Type", "").startswith("text/html"):
            found = LINK.findall(body.decode())
        else:
            found = []
        for link in found:
            # One visit a page: its sortings, filters and pages show the same rows' cells.
            path = urlsplit(urljoin(url, link)).path
            if path.startswith(FOLLOWED) and "/download" not in path and path not in seen:
                seen.add(path)
                queue.append(path)
    return pages


@pytest.mark.parametrize("role", list(Role))
def test_no_page_shows_a_full_id_number_to_any_role(client, make_user, village, role):
    # given a household with a head and a school-age child, and a user of each role who reaches it
    head = MemberFactory(household__village=village, name="户主甲")
    child = member_born(head.household, birth_date=head.birth_date.replace(year=2014), name="孩子乙")
    user = role_users(make_user, village)[role]
    client.force_login(user)
    household = head.household
    start = [
        reverse("households:household_list"),
        reverse("households:household_list") + f"?q={head.id_number}",
        household.get_absolute_url(),
        reverse("households:household_update", args=[household.pk]),
        reverse("households:member_update", args=[household.pk, head.pk]),
        reverse("households:member_update", args=[household.pk, child.pk]),
    ]

    # when every page reachable from the household is read
    pages = crawl(client, start)

    # then the walk saw the household's pages, and none holds a full number (revealing is a logged POST)
    assert any(status == 200 and url == household.get_absolute_url() for url, status, _body in pages)
    for member in (head, child):
        # The search box shows back what its user typed; nothing else may hold the number.
        typed = (f"q={member.id_number}".encode(), f'value="{member.id_number}"'.encode())
        leaks = [
            url
            for url, _status, body in pages
            if member.id_number.encode() in body.replace(typed[0], b"").replace(typed[1], b"")
        ]
        assert leaks == [], f"{role}: full ID number on {leaks}"
    if role in (Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION, Role.VILLAGE_CLERK, Role.DISTRICT_OFFICE):
        form = dict((url, body) for url, _status, body in pages)[start[4]].decode()
        assert id_number_mask(head.id_number) in form
    assert not IdNumberReveal.objects.exists()

    # when the user asks for the full number on the household page: only a role allowed, and logged
    revealed = client.post(reverse("households:member_reveal_id", args=[head.pk]))
    if may_reveal_id_numbers(user):
        assert head.id_number in revealed.content.decode()
        assert IdNumberReveal.objects.filter(user=user, member=head).count() == 1
    else:
        assert revealed.status_code == 403
        assert not IdNumberReveal.objects.exists()


def test_the_member_form_keeps_the_number_unless_a_new_one_is_typed(client, make_user, village):
    # given a member and the village clerk who keeps the file
    member = MemberFactory(household__village=village, name="旧名")
    number = member.id_number
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    url = reverse("households:member_update", args=[member.household.pk, member.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data["name"] = "新名"

    # when the form is sent with the new-number field empty: the name changes, the number stays
    assert client.post(url, {**data, "id_number": ""}).status_code == 302
    member.refresh_from_db()
    assert (member.name, member.id_number) == ("新名", number)

    # when a wrong new number is typed: the error is on that field, nothing changes
    page = client.post(url, {**data, "id_number": "110105194912310021"})
    assert page.status_code == 200 and page.context["form"].errors["id_number"]
    member.refresh_from_db()
    assert member.id_number == number

    # when a good new number is typed: it is recorded, with the birth date it carries
    assert client.post(url, {**data, "id_number": "11010519491231002x"}).status_code == 302
    member.refresh_from_db()
    assert (member.id_number, member.birth_date.year) == ("11010519491231002X", 1949)


def exported_cells(job) -> set[str]:
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.failure
    with job.file.open("rb") as stream:
        workbook = load_workbook(io.BytesIO(stream.read()))
    return {str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value}


@pytest.mark.parametrize("role", list(Role))
def test_no_export_holds_a_full_id_number_unless_asked_by_a_role_allowed_and_logged(
    make_user, village, role, settings, tmp_path
):
    # given a household with a member, and a user of the role
    settings.MEDIA_ROOT = tmp_path
    member = MemberFactory(household__village=village)
    user = role_users(make_user, village)[role]

    # when every list export the user may ask for is written without full numbers
    exports = [export for export in registered().values() if export.may_export(user)]
    assert role != Role.DISTRICT_OFFICE or "households.roster" in {export.kind for export in exports}
    for export in exports:
        cells = exported_cells(export_job_run(job_id=export_job_create(user=user, kind=export.kind, filters={}).pk))

        # then no cell holds the full number, and nothing was logged
        assert not any(member.id_number in cell for cell in cells), f"{role}: {export.kind}"
    assert not IdNumberReveal.objects.exists()

    # when full numbers are asked for: only the exports and roles that allow it, each such export logged
    for export in exports:
        if not export.may_ask_full_ids(user):
            with pytest.raises(PermissionDenied):
                export_job_create(user=user, kind=export.kind, filters={}, full_ids=True)
            continue
        assert may_reveal_id_numbers(user)
        before = IdNumberReveal.objects.filter(user=user).count()
        cells = exported_cells(
            export_job_run(job_id=export_job_create(user=user, kind=export.kind, filters={}, full_ids=True).pk)
        )
        assert IdNumberReveal.objects.filter(user=user).count() == before + 1
        assert any(member.id_number in cell for cell in cells)
