"""The district office's calendar pages: who may open them, and what a bad paste looks like."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from organisation.calendar_services import calendar_day_save
from organisation.models import CalendarDay, CalendarDayKind, CalendarYear, District, Town
from organisation.roles import Role
from organisation.tasks import recompute_deadlines
from tests.permission_checks import history_head

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def wanggou(db):
    district = District.objects.create(name="兰山区", code="371302")
    return Town.objects.create(district=district, name="汪沟镇", kind="town", code="371302109")


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def office_entry(office_user):
    # A test correction of the package: Fri 2025-02-07 made a rest day.
    return calendar_day_save(date=D("2025-02-07"), kind=CalendarDayKind.HOLIDAY, name="测试更正", user=office_user)


@pytest.fixture
def enqueued(monkeypatch):
    """The years each recompute was enqueued with, instead of sending them to the broker."""
    calls = []
    monkeypatch.setattr(recompute_deadlines, "delay", lambda years: calls.append(years))
    return calls


def calendar_urls(entry):
    return [
        reverse("organisation:calendar"),
        reverse("organisation:calendar_year", args=[2025]),
        reverse("organisation:calendar_year_load", args=[2027]),
        reverse("organisation:calendar_day_add", args=[2027]),
        reverse("organisation:calendar_day_update", args=[entry.pk]),
        reverse("organisation:calendar_day_delete", args=[entry.pk]),
    ]


def test_the_office_sees_every_year_and_which_are_not_loaded(office_client):
    # when the district office opens the calendar overview
    response = office_client.get(reverse("organisation:calendar"))
    # then it lists the package's years and next year, the year after the package marked as not loaded
    assert response.status_code == 200
    summaries = {summary.year: summary for summary in response.context["summaries"]}
    assert set(range(2004, 2027)) <= set(summaries)
    assert summaries[2024].status == "package"
    assert (summaries[2024].holiday_count, summaries[2024].workday_count) > (0, 0)
    next_year = timezone.localdate().year + 1
    if next_year > 2026:
        assert summaries[next_year].status == "missing"
    assert f'data-year="{next_year}"' in response.content.decode()


def test_the_year_page_lists_package_days_and_office_entries(office_client, office_entry):
    # when the office opens 2025
    response = office_client.get(reverse("organisation:calendar_year", args=[2025]))
    # then the package's Spring Festival and the office's correction are listed, the entry editable
    content = response.content.decode()
    assert 'data-date="2025-01-28"' in content
    assert 'data-date="2025-01-26"' in content
    assert reverse("organisation:calendar_day_update", args=[office_entry.pk]) in content


@pytest.mark.parametrize("method", ["get", "post"])
def test_town_staff_are_refused_every_calendar_page(client, make_user, wanggou, office_entry, method):
    # given a town-staff user of 汪沟镇
    client.force_login(make_user(Role.TOWN_STAFF, town=wanggou))
    before = history_head()
    for url in calendar_urls(office_entry):
        # when they open or post to a calendar page
        response = getattr(client, method)(url, {"lines_text": "2027-01-01 holiday 元旦"})
        # then they are refused and nothing is written
        assert response.status_code == 403, url
    assert history_head() == before
    assert CalendarDay.objects.count() == 1


def test_a_superuser_may_open_the_calendar(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("organisation:calendar")).status_code == 200


def test_a_bad_pasted_line_is_shown_on_the_form_and_nothing_is_saved(office_client):
    # given a paste whose second line has a reversed range
    lines_text = "2027-01-01 holiday 元旦\n2027-02-13..2027-02-06 holiday 春节\n2027-02-14 workday 春节调休"
    # when the office submits it
    response = office_client.post(reverse("organisation:calendar_year_load", args=[2027]), {"lines_text": lines_text})
    # then the form comes back with a translatable error naming line 2, and nothing is saved
    assert response.status_code == 200
    with translation.override("zh-hans"):
        problem = gettext("the range ends on %(last)s, before it starts on %(first)s.") % {
            "first": "2027-02-13",
            "last": "2027-02-06",
        }
        expected = gettext("Line %(line)d: %(problem)s") % {"line": 2, "problem": problem}
    assert response.context["form"].errors["lines_text"] == [expected]
    assert expected in response.content.decode()
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


def test_a_good_paste_enters_the_year(office_client, office_user, enqueued, django_capture_on_commit_callbacks):
    # when the office pastes a schedule for 2027 (test data, not the official schedule)
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("organisation:calendar_year_load", args=[2027]),
            {"lines_text": "2027-01-01 holiday 元旦\n2027-02-14 workday 春节调休", "source": "测试数据"},
        )
    # then the year is entered by them, its days are stored and the deadlines are recomputed
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation:calendar_year", args=[2027])
    assert CalendarYear.objects.get(year=2027).entered_by == office_user
    assert CalendarDay.objects.filter(date__year=2027).count() == 2
    assert enqueued == [[2027]]


def test_the_load_form_starts_from_the_years_entries(office_client, office_user):
    # given entries for 2027
    for day in ("2027-02-06", "2027-02-07", "2027-02-08"):
        calendar_day_save(date=D(day), kind=CalendarDayKind.HOLIDAY, name="春节", user=office_user)
    # when the office opens the load form
    response = office_client.get(reverse("organisation:calendar_year_load", args=[2027]))
    # then the entries are there as one range, ready to be corrected
    assert response.context["form"].initial["lines_text"] == "2027-02-06..2027-02-08 holiday 春节"


def test_adding_a_day_shows_every_rule_error_on_the_form(office_client, office_entry):
    url = reverse("organisation:calendar_day_add", args=[2025])
    # when the office enters a date that already has an entry
    duplicate = office_client.post(url, {"date": "2025-02-07", "kind": "holiday", "name": ""})
    # and a Wednesday as a make-up workday
    weekday = office_client.post(url, {"date": "2025-03-05", "kind": "workday", "name": ""})
    # and no date at all
    empty = office_client.post(url, {"kind": "holiday"})
    # then each form comes back with its error, and nothing is added
    assert duplicate.status_code == weekday.status_code == empty.status_code == 200
    assert duplicate.context["form"].errors["date"]
    assert weekday.context["form"].errors["kind"]
    assert empty.context["form"].errors["date"]
    for response in (duplicate, weekday, empty):
        assert "invalid-feedback" in response.content.decode()
    assert CalendarDay.objects.count() == 1


def test_the_office_adds_edits_and_deletes_a_day(office_client):
    # when the office adds Sat 2027-02-20 as a make-up workday (test data)
    response = office_client.post(
        reverse("organisation:calendar_day_add", args=[2027]),
        {"date": "2027-02-20", "kind": "workday", "name": "调休"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=D("2027-02-20"))
    # and renames it on its edit page (which shows its history)
    edit_url = reverse("organisation:calendar_day_update", args=[day.pk])
    assert office_client.get(edit_url).status_code == 200
    response = office_client.post(edit_url, {"date": "2027-02-20", "kind": "workday", "name": "春节调休"})
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.name == "春节调休"
    # and deletes it
    response = office_client.post(reverse("organisation:calendar_day_delete", args=[day.pk]))
    # then it is gone, and the office is back on the year page
    assert response["Location"] == reverse("organisation:calendar_year", args=[2027])
    assert not CalendarDay.objects.exists()


def test_a_year_outside_the_calendar_is_not_found(office_client):
    assert office_client.get(reverse("organisation:calendar_year", args=[1999])).status_code == 404


def test_the_admin_saves_and_deletes_days_through_the_service(
    client, superuser, enqueued, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    add_url = reverse("admin:organisation_calendarday_add")
    # when a superuser adds Sat 2027-02-20 as a make-up workday in the admin (test data)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url, {"date": "2027-02-20", "kind": "workday", "name": "调休", "note": ""})
    # then it is saved by the service, which names the user and has 2027 recomputed
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=D("2027-02-20"))
    assert day.updated_by == superuser
    assert enqueued == [[2027]]
    # when a Wednesday is entered as a make-up workday, the admin form shows the service's rule
    response = client.post(add_url, {"date": "2027-03-03", "kind": "workday", "name": "", "note": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kind"]
    # when the day is deleted in the admin, 2027 is recomputed again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:organisation_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert enqueued == [[2027], [2027]]


def test_the_admin_marks_a_year_entered_through_the_service(
    client, superuser, enqueued, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    # when a superuser marks 2027 as entered in the admin
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:organisation_calendaryear_add"), {"year": "2027", "source": "测试", "note": ""}
        )
    # then the service records who and when, and has 2027 recomputed
    assert response.status_code == 302
    entry = CalendarYear.objects.get(year=2027)
    assert (entry.entered_by, entry.source) == (superuser, "测试")
    assert enqueued == [[2027]]
    # and withdrawing the mark recomputes 2027 too
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:organisation_calendaryear_delete", args=[entry.pk]), {"post": "yes"})
    assert not CalendarYear.objects.exists()
    assert enqueued == [[2027], [2027]]
