from django.template import Context, Template
from django.urls import reverse

from history.context import history_context
from organisation.models import Village


def render_history_tab(obj) -> str:
    return Template("{% load history_tags %}{% history_tab obj %}").render(Context({"obj": obj}))


def test_village_page_shows_who_changed_what_from_what_to_what(client, admin_user, yangjia):
    # given the village renamed through the edit page
    client.force_login(admin_user)
    url = reverse("organisation:village_update", args=[yangjia.pk])
    response = client.post(url, {"name": "杨家庄", "is_key_village": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302

    # when
    page = client.get(yangjia.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then
    assert "zhangwei" in page
    assert "伟 张" in page
    assert url in page
    assert "changed" in page
    assert "<td>name</td>" in page
    assert '<td class="text-muted">杨家庄村</td>' in page
    assert "<td>杨家庄</td>" in page
    assert "<td>key poverty-alleviation village</td>" in page


def test_tab_names_the_database_when_the_change_had_no_application_context(yangjia):
    # when
    Village.objects.filter(pk=yangjia.pk).update(name="杨家庄")

    # then
    html = render_history_tab(yangjia)
    assert "database" in html
    assert "created" in html


def test_tab_names_the_command_for_changes_made_in_a_history_context(yangjia):
    # when
    with history_context(command="import_villages"):
        Village.objects.filter(pk=yangjia.pk).update(name="杨家庄")

    # then
    html = render_history_tab(yangjia)
    assert "system" in html
    assert "import_villages" in html


def test_tab_shows_the_latest_200_of_many_events_in_a_few_queries(yangjia, django_assert_max_num_queries):
    # given 250 changes
    for number in range(250):
        Village.objects.filter(pk=yangjia.pk).update(name=f"杨家庄{number}")
    yangjia.refresh_from_db()

    # when
    with django_assert_max_num_queries(4):
        html = render_history_tab(yangjia)

    # then 251 events: the creation and 250 changes
    assert html.count("<td>name</td>") == 200
    assert "杨家庄249" in html
    assert "51 older entries are not shown." in html


def test_tab_looks_users_up_once_for_all_events(yangjia, admin_user, django_assert_max_num_queries):
    # given
    for number in range(20):
        with history_context(user=admin_user.pk, url="/somewhere/"):
            Village.objects.filter(pk=yangjia.pk).update(name=f"杨家庄{number}", is_key_village=number % 2 == 0)

    # when: the events, the users, the town named in the creation
    with django_assert_max_num_queries(3):
        html = render_history_tab(yangjia)

    # then
    assert html.count("zhangwei") == 20
