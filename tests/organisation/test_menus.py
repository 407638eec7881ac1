"""Menus show only what the role may open: every link of every role's menu answers, none with 403 or 500."""

import re

import pytest
from django.urls import reverse

from organisation.roles import LEVEL_OF_ROLE, Level, Role
from tests.factories.organisation import post_user

MENU = re.compile(r'<div class="collapse navbar-collapse" id="main-nav">(.*?)</ul>\s*<a class="btn', re.S)
LINK = re.compile(r'href="(/[^"#]*)"')


def user_of(role: Role, town, village):
    level = LEVEL_OF_ROLE[role]
    if level == Level.VILLAGE:
        return post_user(role, village=village)
    if level == Level.TOWN:
        return post_user(role, town=town)
    return post_user(role)


def menu_links(client) -> list[str]:
    page = client.get(reverse("home"), follow=True).content.decode()
    menu = MENU.search(page)
    assert menu, "the page has no main menu"
    return sorted(set(LINK.findall(menu.group(1))))


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_no_menu_link_refuses_the_role_it_is_shown_to(client, role, town, village):
    # given a user of the role
    client.force_login(user_of(role, town, village))

    # when each link of the menu is opened
    answers = {link: client.get(link).status_code for link in menu_links(client)}

    # then every one opens (a list, a form, or a redirect), none is refused or fails
    assert answers
    refused = {link: status for link, status in answers.items() if status not in (200, 302)}
    assert refused == {}, f"{role}: links in the menu that do not open"


@pytest.mark.django_db
def test_a_village_clerk_is_not_offered_the_district_pages(client, village):
    # given a village clerk
    client.force_login(post_user(Role.VILLAGE_CLERK, village=village))

    # when the menu is shown
    links = menu_links(client)

    # then the district's pages and the pages of other posts are not in it
    for name in ("households:cadre_list", "funds:loan_book", "projects:blacklist", "audits:import_list"):
        assert reverse(name) not in links, name
