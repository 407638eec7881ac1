"""Every message a template or the Python source marks for translation is in the Chinese catalogue, translated.

The catalogue is appended to by hand (never regenerated), so a new msgid can be forgotten: Django's own
``makemessages`` extracts them from a copy of the sources, and each must be found in ours."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "var", "locale", "static", "node_modules", "__pycache__", "tests"
)


def extracted_catalogue(tmp_path: Path) -> polib.POFile:
    copy = tmp_path / "src"
    shutil.copytree(BASE, copy, ignore=NOT_SOURCES)
    (copy / "locale").mkdir()
    # The base settings: the test settings add an app of tests/, which the extraction leaves out.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lanshan.settings.base"}
    run = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "--no-wrap", "--ignore=tests"],
        cwd=copy,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def test_every_message_of_the_sources_is_translated_in_the_catalogue(tmp_path):
    # given the messages the sources mark for translation, and our catalogue
    extracted = extracted_catalogue(tmp_path)
    ours = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(PO))}
    # then each is in the catalogue (with its context) and translated
    missing = [
        (entry.msgctxt, entry.msgid, entry.occurrences)
        for entry in extracted
        if entry.msgid and not ((key := (entry.msgctxt, entry.msgid)) in ours and ours[key].translated())
    ]
    assert len(extracted) > 1000
    assert missing == []
