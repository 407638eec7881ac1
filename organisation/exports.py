"""Every filtered list can be exported, as a job, laid out for printing: the registry and the one writer.

An app declares its exports in its own ``<app>/list_exports.py`` (found by ``autodiscover_modules`` when this app is
ready, so this module never imports an app above it) with ``register(ListExport(...))``:

- ``kind``: the key in the URL (``"funds.transfers"``), ``title``: the sheet's title in Chinese;
- ``rows(user, params)``: the SAME function the list page reads its rows with (its filter parsing and its scoped
  selector), given the list's query string; it may raise ``Http404`` for a filter naming something out of reach;
- ``columns()``: the ``Column`` s (header, width, value: a field path of ``values_list`` or a function of the row;
  ``kind``: text, number, money, date; ``words``: a converter made once per export, e.g. from a choices class);
- ``roles``: who may export (a role set of the app's ``permissions.py``); ``None``: whoever opens the list;
- ``full_ids`` (who may ask for full ID numbers) and ``on_done`` (e.g. the reveal log) for exports of personal data;
- ``write``: a writer of its own only when the sheet must be something else than the list's columns;
- ``sort_through``: when the rows are not the list's records but hang off them (the roster's members of the listed
  households: ``"household__"``), the path to them, and ``sort_renamed`` the list's annotations the rows carry
  under another name: the export follows the list's ``?sort=`` (``sorted_as_listed``).

The job (``ExportJob``), its task and its pages are ``organisation.export_services``, ``organisation.tasks``
and ``organisation.export_views``; the button is ``{% export_button "kind" %}`` (``templatetags/exports.py``).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db.models import QuerySet
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from organisation.scoping import may_act
from organisation.sheets import FORMULA_START, print_setup, text_cell
from organisation.sorting import SORT_PARAM, SortableListMixin, list_sorting

TEXT, NUMBER, MONEY, DATE, DATETIME = "text", "number", "money", "date", "datetime"
YUAN, WAN_YUAN = "元", "万元"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
FONT_NAME = "宋体"
CHUNK_SIZE = 2000
ROW_NUMBER = "#"  # a column's value: the row's number in the sheet (序号)
# The narrowest a column of each kind may be, in characters, so that no value prints as ###.
MIN_WIDTH = {TEXT: 6, NUMBER: 8, MONEY: 16, DATE: 12, DATETIME: 17}


@dataclass(frozen=True)
class ExportContext:
    """What a column's converter may depend on: the asker and whether full ID numbers were asked for (and allowed)."""

    user: Any
    full_ids: bool = False


def choice_words(choices) -> Callable[[ExportContext], Callable[[Any], Any]]:
    """A ``words`` of a choices class: its labels, translated once per export."""

    def make(context: ExportContext) -> Callable[[Any], Any]:
        words = {value: str(label) for value, label in choices.choices}
        return lambda value: words.get(value, value)

    return make


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: str | Callable[[Any], Any]
    width: int = 12
    kind: str = TEXT
    words: Callable[[ExportContext], Callable[[Any], Any]] | None = None
    unit: str = ""  # money: YUAN or WAN_YUAN (an amount kept in yuan is divided by 10,000 for WAN_YUAN)

    def heading(self) -> str:
        header = str(self.header)
        return f"{header}（{self.unit}）" if self.kind == MONEY and self.unit else header


@dataclass(frozen=True)
class ListExport:
    kind: str
    title: str | Promise
    rows: Callable[[Any, Mapping[str, str]], QuerySet | Iterable]
    columns: Callable[[], Sequence[Column]]
    list_url: str
    roles: frozenset | None = None
    full_ids: Callable[[Any], bool] | None = None
    on_done: Callable[[Any, int], None] | None = None
    write: Callable[..., int] | None = None
    filename: str = ""
    meta: dict = field(default_factory=dict)
    sort_through: str = ""
    sort_renamed: dict = field(default_factory=dict)

    def may_export(self, user) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        return self.roles is None or may_act(user, self.roles)

    def may_ask_full_ids(self, user) -> bool:
        return self.full_ids is not None and self.may_export(user) and self.full_ids(user)


_registry: dict[str, ListExport] = {}


def register(export: ListExport) -> ListExport:
    """Declare ``export`` (by kind, so a module imported twice registers once)."""
    _registry[export.kind] = export
    return export


def registered() -> dict[str, ListExport]:
    return dict(_registry)


def export_of(kind: str) -> ListExport | None:
    return _registry.get(kind)


def sorted_as_listed(export: ListExport, rows, params: Mapping[str, str]):
    """``rows`` (the export's ``rows(user, params)``) in the order the list page shows for ``params``: its ``?sort=``
    applied with the page's own sort columns (``organisation.sorting.list_sorting``). Rows that are not a queryset,
    or a list that is not sorted by a column, keep their own order."""
    if not isinstance(rows, QuerySet) or not params.get(SORT_PARAM):
        return rows
    view_class = resolve(reverse(export.list_url)).func.view_class  # type: ignore[attr-defined]
    if not issubclass(view_class, SortableListMixin):
        return rows
    return list_sorting(view_class, params).apply(rows, through=export.sort_through, renamed=export.sort_renamed)


def list_params(query) -> dict[str, str]:
    """A list's query string as the export keeps it: one value a key, the page left out."""
    return {key: str(value) for key, value in query.items() if key != "page"}


def rows_of(
    export: ListExport | None, queryset: QuerySet | Iterable, columns: Sequence[Column]
) -> tuple[Iterator, int]:
    """The rows to write, as tuples in ``columns`` order, and how many. A queryset whose columns are all field paths
    is read with ``values_list`` in chunks; otherwise each record (a model object or a ``values()`` dict) is read and
    each column's value taken from it: a field path, ``ROW_NUMBER``, or a function of the record."""
    if isinstance(queryset, QuerySet):
        total = queryset.count()
        if all(isinstance(column.value, str) and column.value != ROW_NUMBER for column in columns):
            fields = [column.value for column in columns if isinstance(column.value, str)]
            tuples = queryset.values_list(*fields)
            return tuples.iterator(chunk_size=CHUNK_SIZE), total
        records: Iterable = queryset.iterator(chunk_size=CHUNK_SIZE)
    else:
        records = list(queryset)
        total = len(records)
    getters = [_getter(column.value) for column in columns]

    def tuples_of(records: Iterable) -> Iterator[tuple]:
        for number, record in enumerate(records, start=1):
            yield tuple(number if get is None else get(record) for get in getters)

    return tuples_of(records), total


def _getter(value) -> Callable[[Any], Any] | None:
    """How a column's value is read from a record: ``None`` for the row's number."""
    if value == ROW_NUMBER:
        return None
    if not isinstance(value, str):
        return value
    attribute = attrgetter(value.replace("__", "."))
    return lambda record: record[value] if isinstance(record, dict) else attribute(record)


def _cell_maker(sheet, column: Column, context: ExportContext) -> Callable[[Any], Any]:
    """The one function a column's values pass through: its words, then its kind (text never a formula, money as
    a number with its format, dates as dates)."""
    convert = column.words(context) if column.words is not None else None
    if column.kind == MONEY:
        scale = Decimal(10000) if column.unit == WAN_YUAN else None

        def money(value):
            if convert is not None:
                value = convert(value)
            if value is None:
                return None
            if scale is not None:
                value = Decimal(value) / scale
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = MONEY_FORMAT
            return cell

        return money
    if column.kind in (DATE, DATETIME):
        fmt = DATE_FORMAT if column.kind == DATE else DATETIME_FORMAT

        def date(value):
            if convert is not None:
                value = convert(value)
            if isinstance(value, dt.datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value).replace(tzinfo=None)
            elif not isinstance(value, dt.date):
                return _text(sheet, value)
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = fmt
            return cell

        return date
    if column.kind == NUMBER:
        return convert if convert is not None else _same
    if convert is None:
        return lambda value: _text(sheet, value)
    return lambda value: _text(sheet, convert(value))


def _same(value):
    return value


def _text(sheet, value):
    """A text value as it goes in a row: itself, or its text cell when it starts like a formula (``text_safe``);
    a value of another type (a list, a Promise) as its text."""
    if value is None or value.__class__ is str:
        if value and value.startswith(FORMULA_START):
            return text_cell(sheet, value)
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    value = "、".join(str(item) for item in value) if isinstance(value, (list, tuple)) else str(value)
    return text_cell(sheet, value) if value.startswith(FORMULA_START) else value


def shown_width(value) -> int:
    """How many character widths a text takes in a cell (a Chinese character takes two)."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in str(value or ""))


def sheet_write(
    target,
    rows: Iterable[tuple],
    *,
    columns: Sequence[Column],
    title: str,
    unit: str,
    made_on: dt.date,
    context: ExportContext,
    on_progress: Callable[[int], None] | None = None,
    every: int = CHUNK_SIZE,
    sheet_name: str = "",
) -> int:
    """Write ``rows`` (tuples in ``columns`` order) as a workbook laid out for printing into ``target`` (a path or a
    binary file): the title, the unit and date, the bold header frozen and repeated on every printed page, each
    column's width, A4 landscape fitted to the width. Returns how many rows were written; ``on_progress(done)`` is
    called every ``every`` rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet((sheet_name or title)[:31])
    width = len(columns)
    for index, column in enumerate(columns, 1):
        chars = max(column.width, MIN_WIDTH.get(column.kind, 6), min(40, shown_width(column.heading()) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = chars
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    print_setup(sheet, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", footer=_("Page &P of &N"))
    title_font = Font(name=FONT_NAME, bold=True, size=14)
    bold = Font(name=FONT_NAME, bold=True, size=10)
    plain = Font(name=FONT_NAME, size=10)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = get_column_letter(width)
    sheet.append([text_cell(sheet, str(title), font=title_font)])
    sheet.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    line = _("Unit: %(unit)s    Date: %(date)s") % {"unit": unit, "date": made_on.isoformat()}
    sheet.append([text_cell(sheet, line, font=plain)])
    sheet.merged_cells.add(f"A{UNIT_ROW}:{last}{UNIT_ROW}")
    sheet.append([text_cell(sheet, column.heading(), font=bold, alignment=centre) for column in columns])

    makers = [_cell_maker(sheet, column, context) for column in columns]
    append = sheet.append
    done = 0
    for row in rows:
        append([make(value) for make, value in zip(makers, row, strict=True)])
        done += 1
        if on_progress is not None and done % every == 0:
            on_progress(done)
    workbook.save(target)
    return done
