"""The admin index reads in Chinese: app headers, column headers and the links of each model."""

import re
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Django 5.2's own Chinese catalogue leaves these admin index headers in English.
ADMIN_HEADERS = ["Model name", "Add link", "Change or view list link"]


def test_the_admin_index_headers_missing_from_djangos_catalogue_are_in_ours():
    # given the catalogue
    catalog = polib.pofile(str(PO))
    # then each header has a Chinese translation
    assert [
        h for h in ADMIN_HEADERS if not (catalog.find(h) and re.search(r"[\u4e00-\u9fff]", catalog.find(h).msgstr))
    ] == []


def test_a_plain_change_is_the_admins_edit_link_not_a_difference():
    # given the catalogue: our entries override Django's own, the admin's "Change" link included
    catalog = polib.pofile(str(PO))
    # then a "Change" with no context is 修改 (edit), and the difference column has its own context
    assert catalog.find("Change").msgstr == "修改"
    assert catalog.find("Change", msgctxt="difference").msgstr == "变化"


def test_every_project_app_has_a_translated_name():
    # given the project's own apps that have models (the admin index lists them)
    ours = [c for c in apps.get_app_configs() if (Path(settings.BASE_DIR) / c.name).is_dir() and list(c.get_models())]
    catalog = polib.pofile(str(PO))
    # then each declares a verbose name the catalogue translates
    with translation.override("en"):
        names = {c.name: str(c.verbose_name) for c in ours}
    assert [app for app, name in names.items() if not (catalog.find(name) and catalog.find(name).msgstr)] == []


@pytest.mark.django_db
def test_the_admin_index_shows_the_catalogues_words(client, django_user_model):
    # given a superuser
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    # when they open the admin index in the default language
    html = client.get(reverse("admin:index")).content.decode()
    # then the column headers are the catalogue's words
    with translation.override("zh-hans"):
        assert [h for h in ADMIN_HEADERS if gettext(h) not in html] == []
