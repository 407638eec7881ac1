"""Accounts: wrong passwords lock a user name out from an address, every user changes their own password on the
site's layout under Django's validators (at least 10 characters), and the production settings pass
``check --deploy``."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from organisation.roles import Role
from tests.factories.organisation import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username, password, address="10.1.2.3"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_fifty_wrong_passwords_are_refused_after_the_limit_and_lock_the_user_out_from_that_address(
    client, make_user, village
):
    # given a village clerk
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    limit = settings.AXES_FAILURE_LIMIT

    # when 50 wrong passwords are tried in a row from one address
    answers = [log_in(client, clerk.username, f"guess-{n:04d}").status_code for n in range(50)]

    # then the first tries are answered as wrong passwords, every later one is refused as locked out
    assert answers[: limit - 1] == [200] * (limit - 1)
    assert set(answers[limit:]) == {429}
    # and even the right password is refused from that address, with the reason in Chinese
    locked = log_in(client, clerk.username, PASSWORD)
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    assert "密码错误次数过多" in locked.content.decode()
    # while the same user logs in from another address
    assert log_in(client, clerk.username, PASSWORD, address="10.9.9.9").status_code == 302
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_a_right_password_before_the_limit_resets_the_count(client, make_user, village):
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    for _round in range(3):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            assert log_in(client, clerk.username, f"guess-{n}").status_code == 200
        assert log_in(client, clerk.username, PASSWORD).status_code == 302
        client.logout()


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("lanshan2018", False),
        ("1234567890", False),
        ("Lanshan2018", True),
        ("Lanshan-2018", True),
        ("test-pass-123", True),
    ],
)
def test_passwords_need_ten_characters_and_no_common_or_all_digit_ones(password, accepted):
    if accepted:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_every_user_changes_their_password_on_the_sites_page_under_the_validators(client, make_user, village):
    # given a village clerk logged in, who finds the page in the menu
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    client.force_login(clerk)
    url = reverse("password_change")
    assert f'href="{url}"' in client.get(reverse("households:household_list")).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "lanshan-navbar" in page.content.decode()

    # when a password of 11 characters that is too short by the rule is typed: refused on the form, in Chinese
    short = client.post(
        url, {"old_password": PASSWORD, "new_password1": "lanshan2018", "new_password2": "lanshan2018"}
    )
    assert short.status_code == 200 and short.context["form"].errors["new_password2"]
    assert "至少" in short.content.decode()

    # when a good one is typed: changed, and the clerk logs in with it
    done = client.post(
        url, {"old_password": PASSWORD, "new_password1": "Lanshan-2026", "new_password2": "Lanshan-2026"}
    )
    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    clerk.refresh_from_db()
    assert clerk.check_password("Lanshan-2026")


def test_the_password_page_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_production_settings_pass_the_deployment_check():
    # given the production settings with the environment a server gives them
    environment = {
        **os.environ,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "fupin.lanshan.example",
    }
    # The browser tests allow async-unsafe calls in this process; a server never does.
    for name in (
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_HSTS_SECONDS",
        "DJANGO_SECURE_COOKIES",
        "DJANGO_DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        environment.pop(name, None)

    # when Django's deployment check runs on them, warnings counted as failures
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--settings=lanshan.settings.production",
         "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    # then it finds nothing
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_behind_the_proxy_each_users_address_counts_apart(client, make_user, village, settings):
    # given the proxy on 127.0.0.1, and a clerk locked out from one address behind it
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    clerk = make_user(Role.VILLAGE_CLERK, village=village)

    def through_proxy(password, user_address, claimed=""):
        forwarded = f"{claimed}, {user_address}" if claimed else user_address
        return client.post(
            reverse("login"),
            {"username": clerk.username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for n in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(f"guess-{n}", "10.0.0.7")
    assert through_proxy(PASSWORD, "10.0.0.7").status_code == 429

    # when the same user logs in from another address behind the proxy, even if the locked one claims to be it
    assert through_proxy(PASSWORD, "10.0.0.7", claimed="10.0.0.8").status_code == 429
    # then only the address the proxy wrote counts
    assert through_proxy(PASSWORD, "10.0.0.8").status_code == 302


def test_x_forwarded_for_is_ignored_from_anyone_but_the_proxy(client, make_user, village, settings):
    # given a clerk locked out from 10.0.0.9, which is no proxy
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, clerk.username, f"guess-{n}", address="10.0.0.9")

    # when it claims another address in X-Forwarded-For: still locked out
    response = client.post(
        reverse("login"),
        {"username": clerk.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="10.0.0.10",
    )
    assert response.status_code == 429


def test_the_demo_and_factory_passwords_pass_the_validators():
    from organisation.demo_data import DEMO_PASSWORD

    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)
