"""The sheet of an inspection's or audit's list of problems: its columns, the words each coded column takes, and the
check of every row, shared by the background check and the write (which checks again before it writes).

An inspection's list is a few hundred rows, so rows are checked in Python against the towns and villages loaded
once; the file is read with ``households.sheet_reader.SheetReader`` (the values openpyxl would give, streamed).
"""

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from audits.choices import Category, Source
from households.sheet_reader import SheetReader, SheetRejected, header_find
from organisation.models import Town, Village

# The sheet's words (Chinese, as inspection lists write them; never translated). The first word of each code is
# the one the template uses. Only sources outside the system: the daily scan raises the system's own.
SOURCE_LABELS: dict[str, Source] = {
    "国家考核": Source.NATIONAL_ASSESSMENT,
    "国家成效考核": Source.NATIONAL_ASSESSMENT,
    "省级考核": Source.PROVINCIAL_ASSESSMENT,
    "省考核": Source.PROVINCIAL_ASSESSMENT,
    "市级考核": Source.CITY_ASSESSMENT,
    "市考核": Source.CITY_ASSESSMENT,
    "区级考核": Source.DISTRICT_ASSESSMENT,
    "区考核": Source.DISTRICT_ASSESSMENT,
    "巡察": Source.DISCIPLINE_INSPECTION,
    "纪委巡察": Source.DISCIPLINE_INSPECTION,
    "审计": Source.AUDIT,
    "审计局审计": Source.AUDIT,
    "督查督导": Source.SUPERVISION_VISIT,
    "督查": Source.SUPERVISION_VISIT,
    "自查": Source.SELF_CHECK,
    "群众举报": Source.PUBLIC_COMPLAINT,
    "信访举报": Source.PUBLIC_COMPLAINT,
}
CATEGORY_LABELS: dict[str, Category] = {
    "识别不准": Category.IDENTIFICATION,
    "退出不准": Category.EXIT,
    "信息不准": Category.INFORMATION,
    "档案不规范": Category.FILE,
    "资金": Category.FUNDS,
    "扶贫资金": Category.FUNDS,
    "项目": Category.PROJECTS,
    "扶贫项目": Category.PROJECTS,
    "形式主义": Category.FORMALISM,
    "官僚主义": Category.BUREAUCRATISM,
    "数字脱贫": Category.PAPER_EXIT,
    "虚假脱贫": Category.FALSE_EXIT,
    "其他": Category.OTHER,
    "其它": Category.OTHER,
}
MAX_TIME_LIMIT = 250  # working days: about a year
MAX_ROWS = 20000
MAX_ERRORS_STORED = 2000
PROGRESS_EVERY = 200


@dataclass(frozen=True)
class Column:
    header: str  # as the lists write it (Chinese, never translated)
    key: str
    required: bool = True  # the column must be in the sheet
    blank_ok: bool = False  # its cells may be empty
    max_length: int | None = None
    personal: bool = False  # a person's name: masked where a problem shows its value
    labels: dict[str, Any] | None = None
    example: Any = ""


COLUMNS = (
    Column("序号", "number", required=False, blank_ok=True, example=1),
    Column("问题来源", "source", labels=SOURCE_LABELS, example="审计"),
    Column("问题类别", "category", labels=CATEGORY_LABELS, example="资金"),
    Column("镇街", "town", example="汪沟镇"),
    Column("村居", "village", required=False, blank_ok=True, example="王家庄村"),
    Column("问题描述", "description", example="扶贫资金拨付滞后，未在规定时限内拨付到村"),
    Column("责任单位", "responsible_unit", max_length=200, example="汪沟镇人民政府"),
    Column("责任人", "responsible_person", max_length=100, personal=True, example="张三"),
    Column("整改时限（工作日）", "time_limit", example=20),
    Column("来源文号", "source_reference", required=False, blank_ok=True, max_length=200, example="兰审报〔2018〕5号"),
)
HEADER = {column.key: column.header for column in COLUMNS}
# Other ways lists write a header.
HEADER_ALIASES = {
    "镇（街道）": "镇街",
    "镇街道": "镇街",
    "村（社区）": "村居",
    "整改时限": "整改时限（工作日）",
    "文号": "来源文号",
}
_BY_HEADER = {column.header: column for column in COLUMNS}


def header_normalise(value) -> str:
    """Lists mark required columns with * and mix half- and full-width brackets."""
    text = re.sub(r"[\s*＊]", "", str(value if value is not None else ""))
    text = text.replace("(", "（").replace(")", "）")
    return HEADER_ALIASES.get(text, text)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def value_shown(column: Column | None, text: str) -> str:
    """A value as a problem shows it: a person's name masked (张*, 欧阳**), anything long cut short."""
    if column is not None and column.personal and text:
        return text[0] + "*" * (len(text) - 1)
    return text[:200]


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # the column's letter (A, B …), blank for the whole sheet
    header: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "header": self.header, "value": self.value,
                "message": self.message}  # fmt: skip


def rejected_problems(rejected: SheetRejected) -> list[Problem]:
    """The problems of a file that is no usable workbook, as problems of its first row."""
    return [Problem(1, column, "", "", message) for column, message in rejected.problems]


@dataclass
class ItemRow:
    """One checked row: the ledger item's fields."""

    row: int
    source: str
    category: str
    town: Town
    village: Village | None
    description: str
    responsible_unit: str
    responsible_person: str
    time_limit_working_days: int
    source_reference: str


@dataclass
class SheetOutcome:
    rows: list[ItemRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    row_count: int = 0


def sheet_check(upload, *, on_progress: Callable[[int, int | None], None] | None = None) -> SheetOutcome:
    """Check every row of the uploaded list; ``SheetRejected`` when the file is no workbook. A header with an unknown
    or repeated column, or without a required one, is reported alone: its rows cannot be read."""
    outcome = SheetOutcome()
    reader = SheetReader(upload)
    rows = reader.rows()
    header_row, header = header_find(
        rows, wanted={HEADER["source"], HEADER["description"]}, normalise=header_normalise
    )
    places, header_problems = _header_places(header_row, header)
    if header_problems:
        outcome.problems = header_problems
        return outcome
    parser = _RowParser(places)
    for number, values in rows:
        if not any(cell_text(value) for value in values):
            continue
        outcome.row_count += 1
        if outcome.row_count > MAX_ROWS:
            message = _("The sheet has more than %(rows)d rows; split it into several files.") % {"rows": MAX_ROWS}
            outcome.problems.append(Problem(number, "", "", "", message))
            break
        item, problems = parser.parse(number, values)
        outcome.problems.extend(problems)
        if item is not None:
            outcome.rows.append(item)
        if on_progress and outcome.row_count % PROGRESS_EVERY == 0:
            on_progress(outcome.row_count, reader.max_row and reader.max_row - header_row)
    if not outcome.row_count and not outcome.problems:
        outcome.problems.append(Problem(header_row, "", "", "", _("The sheet has no rows below its header.")))
    if on_progress:
        on_progress(outcome.row_count, outcome.row_count)
    return outcome


def _header_places(header_row: int, header: list) -> tuple[dict[str, int], list[Problem]]:
    """Where each known column is (key -> index), and the header's problems: unknown and repeated columns named by
    their letters, missing required columns by their headers."""
    places: dict[str, int] = {}
    problems = []
    for index, value in enumerate(header):
        text = header_normalise(value)
        if not text:
            continue
        letter = get_column_letter(index + 1)
        column = _BY_HEADER.get(text)
        if column is None:
            message = _("Column %(letter)s (%(header)s) is not a column of the template.") % {
                "letter": letter,
                "header": text,
            }
            problems.append(Problem(header_row, letter, text, "", message))
        elif column.key in places:
            message = _("The column %(header)s appears twice: columns %(first)s and %(second)s.") % {
                "header": text,
                "first": get_column_letter(places[column.key] + 1),
                "second": letter,
            }
            problems.append(Problem(header_row, letter, text, "", message))
        else:
            places[column.key] = index
    for column in COLUMNS:
        if column.required and column.key not in places:
            message = _("The sheet has no column %(header)s.") % {"header": column.header}
            problems.append(Problem(header_row, "", column.header, "", message))
    return places, problems


class _RowParser:
    def __init__(self, places: dict[str, int]):
        self.places = places
        self.towns = {town.name: town for town in Town.objects.all()}
        self.villages = {(village.town_id, village.name): village for village in Village.objects.all()}
        self.seen: dict[tuple, int] = {}

    def parse(self, number: int, values: list) -> tuple[ItemRow | None, list[Problem]]:
        problems: list[Problem] = []
        texts = {key: cell_text(values[index]) if index < len(values) else "" for key, index in self.places.items()}

        def problem(key: str, message: str) -> None:
            column = next(c for c in COLUMNS if c.key == key)
            letter = get_column_letter(self.places[key] + 1) if key in self.places else ""
            problems.append(Problem(number, letter, column.header, value_shown(column, texts.get(key, "")), message))

        for column in COLUMNS:
            text = texts.get(column.key, "")
            if not text and not column.blank_ok:
                problem(column.key, _("%(header)s is empty.") % {"header": column.header})
            elif column.max_length and len(text) > column.max_length:
                problem(column.key, _("At most %(length)d characters.") % {"length": column.max_length})
            elif text and column.labels is not None and text not in column.labels:
                problem(column.key, _("Unknown value; write one of: %(words)s.") % {"words": "、".join(column.labels)})
        town = self.towns.get(texts["town"])
        if texts["town"] and town is None:
            problem("town", _("No town or street of the district has this name."))
        village = None
        if town is not None and texts.get("village"):
            village = self.villages.get((town.pk, texts["village"]))
            if village is None:
                problem("village", _("%(town)s has no village of this name.") % {"town": town.name})
        time_limit = _working_days(texts["time_limit"])
        if texts["time_limit"] and time_limit is None:
            problem(
                "time_limit",
                _("Write a whole number of working days from 1 to %(most)d.") % {"most": MAX_TIME_LIMIT},
            )
        key = (texts["town"], texts.get("village", ""), texts["description"])
        if texts["description"] and key in self.seen:
            problem("description", _("The same problem is in row %(row)d.") % {"row": self.seen[key]})
        self.seen.setdefault(key, number)
        if problems:
            return None, problems
        assert town is not None and time_limit is not None
        return (
            ItemRow(
                row=number,
                source=SOURCE_LABELS[texts["source"]],
                category=CATEGORY_LABELS[texts["category"]],
                town=town,
                village=village,
                description=texts["description"],
                responsible_unit=texts["responsible_unit"],
                responsible_person=texts["responsible_person"],
                time_limit_working_days=time_limit,
                source_reference=texts.get("source_reference", ""),
            ),
            [],
        )


def _working_days(text: str) -> int | None:
    text = text.removesuffix("个工作日").removesuffix("工作日").removesuffix("天").strip()
    try:
        days = float(text)
    except ValueError:
        return None
    if not days.is_integer() or not 1 <= days <= MAX_TIME_LIMIT:
        return None
    return int(days)


def template_workbook() -> bytes:
    """The empty list with its columns, one example row, and the allowed words on a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "问题清单"
    sheet.append([column.header for column in COLUMNS])
    sheet.append([column.example for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if column.key == "description" else 16
    words = workbook.create_sheet("可填写的值")
    words.append([HEADER["source"], HEADER["category"]])
    for source, category in itertools.zip_longest(SOURCE_LABELS, CATEGORY_LABELS, fillvalue=""):
        words.append([source, category])
    for row in (*sheet.iter_rows(), *words.iter_rows()):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
