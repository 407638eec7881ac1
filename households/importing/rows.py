"""Checking one row of the sheet in Python: codes, required cells, lengths, the village, the year, the ID number."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from households.id_numbers import id_number_mask
from households.importing.columns import (
    CAUSE_LABELS,
    CODES,
    COLUMN_BY_KEY,
    COLUMNS,
    EDUCATION_LEVELS,
    HEADER,
    SEX_LABELS,
    header_normalise,
    label_of,
)
from households.importing.ids import id_number_parse_fast
from households.models import ImportJob, ImportRowError
from households.rules import REGISTER_START_YEAR, relation_sex_conflict
from households.sheet_reader import SheetRejected
from organisation.models import Town


def cell_text(value) -> str:
    """A cell as text: Excel keeps long digit strings (file numbers, phones) as numbers."""
    if value.__class__ is str:  # most cells, first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    return str(value).strip()


_NOT_ALLOWED = object()
_CAUSE_SEPARATORS = re.compile(r"[、,，;；/\s]+")


# A run of digits as long as an ID number (15 for the old numbers, 18 for today's), wherever a cell holds it.
ID_NUMBER_LIKE = re.compile(r"[0-9]{15}|[0-9]{17}[0-9Xx]")


def problem_value_stored(column: str, value: str) -> str:
    """What a problem keeps of its cell: an ID number (the ID column's cell, or any cell holding one) masked as the
    pages show it. The problems outlive the sheet, which is deleted when the job ends; the full number does not."""
    if value and (column == HEADER["id_number"] or ID_NUMBER_LIKE.search(value)):
        return id_number_mask(value)
    return value


@dataclass
class RowProblem:
    row: int
    column: str
    value: str
    message: str

    def as_error(self, job: ImportJob) -> ImportRowError:
        return ImportRowError(
            job=job,
            row=self.row,
            column=self.column,
            value=problem_value_stored(self.column, self.value)[:200],
            message=self.message[:300],
        )


class RowParser:
    """Turns one sheet row into a staged tuple (STAGE_COLUMNS) and the problems of its cells."""

    @staticmethod
    def _positions(header: list) -> dict[str, int]:
        """Where each column of the template is (header -> index). A header that is no column of the template, or a
        column that appears twice (a second 姓名 would silently replace the first), refuses the sheet, naming the
        columns by their letters."""
        known = {column.header for column in COLUMNS}
        positions: dict[str, int] = {}
        problems = []
        for index, value in enumerate(header):
            text = header_normalise(value)
            if not text:
                continue
            letter = get_column_letter(index + 1)
            if text not in known:
                message = _("Column %(letter)s (%(header)s) is not a column of the template.")
                problems.append((letter, message % {"letter": letter, "header": text}))
            elif text in positions:
                message = _("The column %(header)s appears twice: columns %(first)s and %(second)s.")
                first = get_column_letter(positions[text] + 1)
                problems.append((letter, message % {"header": text, "first": first, "second": letter}))
            else:
                positions[text] = index
        if problems:
            raise SheetRejected(problems)
        return positions

    def __init__(self, header: list, *, town: Town):
        positions = self._positions(header)
        missing = [column.header for column in COLUMNS if column.required and column.header not in positions]
        if missing:
            raise SheetRejected([(header, _("This required column is missing from the sheet.")) for header in missing])
        self.index = {column.key: positions.get(column.header) for column in COLUMNS}
        self.town = town
        self.villages, self.ambiguous_villages = self._villages(town)
        self.today = timezone.localdate()
        self.years = range(REGISTER_START_YEAR, self.today.year + 1)
        self.messages = {
            "required": _("This cell is required."),
            "too_long": _("At most %(max)d characters."),
            "year": _("Write the year as a number from %(first)d to %(last)d.")
            % {"first": self.years.start, "last": self.years.stop - 1},
            "town": _("This sheet is being imported into %(town)s; the row names another town.") % {"town": town.name},
            "village": _("%(town)s has no village or community of this name.") % {"town": town.name},
            "ambiguous_village": _("%(town)s has more than one village of this name; write its division code.")
            % {"town": town.name},
            "too_many_causes": _("Choose at most two other causes."),
            "cause_repeated": _("The main cause cannot be repeated among the other causes."),
            "sex": _("The resident ID number says the sex is %(sex)s."),
            "allowed": _("“%(value)s” is not an allowed value; write one of: %(allowed)s."),
        }
        # The relation-sex rule's answer for each (relation, sex) met: a handful of pairs, and the rule itself
        # lists the relation codes on every call (a third of a row's check).
        self.relation_sex_conflicts: dict[tuple, str | None] = {}

    @staticmethod
    def _villages(town: Town) -> tuple[dict[str, int], set[str]]:
        villages: dict[str, int] = {}
        ambiguous: set[str] = set()
        for pk, name, code in town.villages.values_list("pk", "name", "code"):
            if name in villages:
                ambiguous.add(name)
            villages[name] = pk
            villages[code] = pk
        return villages, ambiguous

    def parse(self, row_no: int, values: list) -> tuple[tuple, list[RowProblem]]:
        problems: list[RowProblem] = []
        count = len(values)
        # None for an optional column the sheet lacks, "" for an empty cell.
        cells = {}
        for key, index in self.index.items():
            if index is None:
                cells[key] = None
            elif index < count:
                value = values[index]
                cells[key] = value.strip() if value.__class__ is str else cell_text(value)
            else:
                cells[key] = ""

        def problem(key: str, message: str, value: str | None = None) -> None:
            problems.append(RowProblem(row_no, HEADER[key], cells[key] if value is None else value, message))

        def text(key: str, max_length: int) -> str | None:
            value = cells[key]
            if value and len(value) <= max_length:  # most cells
                return value
            if value is None:  # an optional column the sheet does not have
                return None
            if not value and not COLUMN_BY_KEY[key].blank_ok:
                problem(key, self.messages["required"])
                return None
            if len(value) > max_length:
                problem(key, self.messages["too_long"] % {"max": max_length})
                return None
            return value

        def code(key: str):
            value = cells[key]
            if value:  # most cells: an allowed word
                found = CODES[key].get(value, _NOT_ALLOWED)
                if found is not _NOT_ALLOWED:
                    return found
            column = COLUMN_BY_KEY[key]
            if value is None:
                return None
            if not value:
                if column.blank_ok:
                    return ""
                problem(key, self.messages["required"])
                return None
            try:
                return CODES[key][value]
            except KeyError:
                problem(key, self.messages["allowed"] % {"value": value, "allowed": "、".join(column.labels)})
                return None

        file_number = text("file_number", 30)
        town = cells["town"]
        if not town:
            problem("town", self.messages["required"])
        elif town != self.town.name:
            problem("town", self.messages["town"])
        village_id = None
        village = cells["village"]
        if not village:
            problem("village", self.messages["required"])
        elif village in self.ambiguous_villages:
            problem("village", self.messages["ambiguous_village"])
        else:
            village_id = self.villages.get(village)
            if village_id is None:
                problem("village", self.messages["village"])
        main_cause = code("main_cause")
        other_causes = None
        raw_causes = cells["other_causes"]
        if raw_causes is not None:
            other_causes = []
            for word in filter(None, _CAUSE_SEPARATORS.split(raw_causes)) if raw_causes else ():
                cause = CAUSE_LABELS.get(word)
                if cause is None:
                    allowed = "、".join(CAUSE_LABELS)
                    problem("other_causes", self.messages["allowed"] % {"value": word, "allowed": allowed})
                    other_causes = None
                    break
                if cause not in other_causes:
                    other_causes.append(cause)
            if other_causes is not None:
                if len(other_causes) > 2:
                    problem("other_causes", self.messages["too_many_causes"])
                    other_causes = None
                elif main_cause and main_cause in other_causes:
                    problem("other_causes", self.messages["cause_repeated"])
                    other_causes = None
        year = None
        raw_year = values[self.index["year_identified"]] if self.index["year_identified"] < count else None
        if isinstance(raw_year, str):
            raw_year = raw_year.strip().removesuffix("年")
            raw_year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else raw_year
        elif isinstance(raw_year, float) and raw_year.is_integer():
            raw_year = int(raw_year)
        if raw_year is None or raw_year == "":
            problem("year_identified", self.messages["required"])
        elif isinstance(raw_year, int) and not isinstance(raw_year, bool) and raw_year in self.years:
            year = raw_year
        else:
            problem("year_identified", self.messages["year"])

        id_number = birth_date = sex = None
        raw_id = cells["id_number"]
        if not raw_id:
            problem("id_number", self.messages["required"])
        else:
            try:
                id_number, birth_date, sex = id_number_parse_fast(raw_id, self.today)
            except ValidationError as error:
                problem("id_number", error.messages[0])
        stated_sex = code("sex")
        if stated_sex and sex and stated_sex != sex:
            problem("sex", self.messages["sex"] % {"sex": label_of(SEX_LABELS, sex)})
        relation = code("relation")
        conflicts = self.relation_sex_conflicts
        pair = (relation, sex)
        conflict = conflicts[pair] if pair in conflicts else conflicts.setdefault(pair, relation_sex_conflict(*pair))
        if conflict:
            problem("relation", conflict)
        education = cells["education"]
        if education and education not in EDUCATION_LEVELS:
            allowed = "、".join(EDUCATION_LEVELS)
            problem("education", self.messages["allowed"] % {"value": education, "allowed": allowed})
            education = None

        staged = (
            row_no,
            file_number,
            village_id,
            text("group", 30),
            code("identification_standard"),
            code("attribute"),
            main_cause,
            other_causes,
            year,
            text("phone", 20),
            text("bank_name", 50),
            text("bank_account", 40),
            text("name", 50),
            id_number,
            relation,
            sex,
            birth_date,
            text("ethnicity", 20),
            education,
            code("school_stage"),
            code("health"),
            code("labour_ability"),
            code("migrant_worker"),
            code("in_dibao"),
            code("medical_insurance"),
            code("pension_insurance"),
        )
        return staged, problems
