"""The UI is Chinese by default: every string marked for translation has its Chinese text."""

from pathlib import Path

import polib
from django.conf import settings
from django.test import Client
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_and_none_is_fuzzy():
    catalog = polib.pofile(str(PO))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalog_is_what_django_serves():
    title = "Lanshan poverty-alleviation work tracker"
    with translation.override("zh-hans"):
        assert translation.gettext(title) == "兰山区扶贫工作管理系统"
    with translation.override("en"):
        assert translation.gettext(title) == title


def test_pages_are_chinese_by_default_and_english_on_request(db):
    client = Client()
    assert "登录兰山区扶贫工作管理系统" in client.get("/login/").content.decode()
    english = Client(headers={"accept-language": "en"})
    assert "Log in to the Lanshan poverty-alleviation work tracker" in english.get("/login/").content.decode()


def test_the_compiled_catalogue_holds_every_translation_of_the_po():
    # A .mo compiled before the last entries were added serves them in English.
    catalog = polib.pofile(str(PO))
    compiled = polib.mofile(str(PO.with_suffix(".mo")))
    expected = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in catalog.translated_entries()}
    served = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in compiled}
    assert served == expected, "compile the catalogue: msgfmt --check-format -o django.mo django.po"
