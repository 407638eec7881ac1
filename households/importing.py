"""The fast, safe import of a township's household sheet (one row per member, household columns repeated).

How it stays fast, flat in memory and all-or-nothing:

- ``SheetReader`` (``households.sheet_reader``) streams the first worksheet of the xlsx straight from the zip,
  reading the common shapes of rows by pattern and the rest with expat: the values openpyxl's read-only
  ``iter_rows`` gives (``tests/households/test_import_sheets.py`` compares them), several times faster.
- Rows are checked in chunks in Python (``RowParser``: codes, required cells, the GB 11643 check), one share of
  the chunks per core in forked processes (``households.forked``), and copied in sheet order with COPY into
  the temporary table ``import_row``; no process keeps rows between chunks.
- Every rule that needs the whole file or the database (a person twice in the file, household rows that
  disagree, one head per household, file numbers and people of other towns, heads not in the file) is a
  set-based query over ``import_row`` (``_sheet_problems``).
- The check leaves ``import_row`` as a COPY dump beside the upload. Confirming loads it back inside one
  transaction, locks the households and members it matches, runs the set-based rules again (data may
  have changed since the check), and writes with INSERT ... SELECT / UPDATE ... FROM, so the history
  triggers record and seal every row like any other write, under the job's history context. Those
  triggers are most of the write's time (``manage.py benchmark_import`` prints the figures).
"""

import datetime as dt
import functools
import hashlib
import itertools
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from history.context import history_context
from households.choices import (
    Health,
    HouseholdAttribute,
    HouseholdStatus,
    IdentificationStandard,
    LabourAbility,
    PovertyCause,
    Relation,
    SchoolStage,
    Sex,
)
from households.forked import forked_records, processes_available
from households.id_numbers import (
    CHECK_CHARACTERS,
    EARLIEST_BIRTH_YEAR,
    ID_NUMBER_PATTERN,
    id_number_mask,
    id_number_parse,
)
from households.models import ImportJob, ImportRowError, Member
from households.rules import REGISTER_START_YEAR
from households.services.files import where_registered_message
from households.sheet_reader import SheetReader, SheetRejected
from organisation.models import Town

CHUNK_ROWS = 5000
MAX_ERRORS_STORED = 20000

# ---------------------------------------------------------------------------------------------------
# The register form's words for each code, as township sheets write them. The first word of a code
# is the one the template and exports use; the others are variants found in the form's field notes.

IDENTIFICATION_LABELS = {
    "国家标准": IdentificationStandard.NATIONAL,
    "省定标准": IdentificationStandard.PROVINCIAL,
    "市定标准": IdentificationStandard.CITY,
}
ATTRIBUTE_LABELS = {
    "一般贫困户": HouseholdAttribute.ORDINARY,
    "低保户": HouseholdAttribute.DIBAO,
    "五保户": HouseholdAttribute.FIVE_GUARANTEE,
    "低保贫困户": HouseholdAttribute.DIBAO_POOR,
}
CAUSE_LABELS = {
    "因病": PovertyCause.ILLNESS,
    "因残": PovertyCause.DISABILITY,
    "因学": PovertyCause.SCHOOLING,
    "因灾": PovertyCause.DISASTER,
    "缺土地": PovertyCause.NO_LAND,
    "缺水": PovertyCause.NO_WATER,
    "缺技术": PovertyCause.NO_SKILLS,
    "缺劳力": PovertyCause.NO_LABOUR,
    "缺资金": PovertyCause.NO_FUNDS,
    "交通条件落后": PovertyCause.POOR_TRANSPORT,
    "自身发展动力不足": PovertyCause.LACK_OF_DRIVE,
    "其它": PovertyCause.OTHER,
    "其他": PovertyCause.OTHER,
}
RELATION_LABELS = {
    "户主": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "之子": Relation.SON,
    "之女": Relation.DAUGHTER,
    "之儿媳": Relation.DAUGHTER_IN_LAW,
    "之女婿": Relation.SON_IN_LAW,
    "之孙子": Relation.GRANDSON,
    "之外孙子": Relation.GRANDSON,
    "之孙女": Relation.GRANDDAUGHTER,
    "之外孙女": Relation.GRANDDAUGHTER,
    "之父母": Relation.PARENT,
    "之父": Relation.PARENT,
    "之母": Relation.PARENT,
    "之岳父": Relation.PARENT,
    "之岳母": Relation.PARENT,
    "之公公": Relation.PARENT,
    "之婆婆": Relation.PARENT,
    "之祖父母": Relation.GRANDPARENT,
    "之祖父": Relation.GRANDPARENT,
    "之祖母": Relation.GRANDPARENT,
    "之外祖父": Relation.GRANDPARENT,
    "之外祖母": Relation.GRANDPARENT,
    "之兄弟姐妹": Relation.SIBLING,
    "之兄弟": Relation.SIBLING,
    "之姐妹": Relation.SIBLING,
    "其他": Relation.OTHER,
    "其它": Relation.OTHER,
}
HEALTH_LABELS = {
    "健康": Health.HEALTHY,
    "长期慢性病": Health.CHRONIC,
    "患有大病": Health.SERIOUS,
    "残疾": Health.DISABLED,
}
LABOUR_LABELS = {
    "普通劳动力": LabourAbility.ORDINARY,
    "技能劳动力": LabourAbility.SKILLED,
    "丧失劳动力": LabourAbility.LOST,
    "无劳动力": LabourAbility.NONE,
}
SCHOOL_LABELS = {
    "非在校生": SchoolStage.NOT_IN_SCHOOL,
    "学前教育": SchoolStage.PRESCHOOL,
    "小学": SchoolStage.PRIMARY,
    "初中": SchoolStage.JUNIOR,
    "七年级": SchoolStage.JUNIOR,
    "八年级": SchoolStage.JUNIOR,
    "九年级": SchoolStage.JUNIOR,
    "高中": SchoolStage.SENIOR,
    "中职": SchoolStage.VOCATIONAL,
    "高等教育": SchoolStage.HIGHER,
    "高职": SchoolStage.HIGHER,
    "大专": SchoolStage.HIGHER,
    "本科及以上": SchoolStage.HIGHER,
}
# 文化程度 is stored as the form's words (the model keeps it as text).
EDUCATION_LEVELS = ("文盲或半文盲", "小学", "初中", "高中", "大专及以上", "学龄前儿童")
YES_NO = {"是": True, "否": False}
SEX_LABELS = {"男": Sex.MALE, "女": Sex.FEMALE}


def label_of(labels: dict[str, Any], code) -> str:
    """The register form's word for ``code`` (the first one listed)."""
    return next((label for label, value in labels.items() if value == code), "")


# ---------------------------------------------------------------------------------------------------
# The sheet: its columns, in the register form's order.


@dataclass(frozen=True)
class Column:
    header: str  # as township sheets write it (Chinese, never translated)
    key: str
    household: bool  # a household column, repeated on every member row of the household
    required: bool = True  # the column must be in the sheet
    blank_ok: bool = False  # its cells may be empty
    labels: dict[str, Any] | None = None  # the allowed words, for codes
    example: Any = ""


COLUMNS = (
    Column("户编号", "file_number", True, example="3713020001000001"),
    Column("镇（街道）", "town", True, example="汪沟镇"),
    Column("村（社区）", "village", True, example="王家庄村"),
    Column("村民小组", "group", True, blank_ok=True, example="第一村民小组"),
    Column("识别标准", "identification_standard", True, labels=IDENTIFICATION_LABELS, example="国家标准"),
    Column("贫困户属性", "attribute", True, labels=ATTRIBUTE_LABELS, example="一般贫困户"),
    Column("主要致贫原因", "main_cause", True, labels=CAUSE_LABELS, example="因病"),
    Column("其他致贫原因", "other_causes", True, blank_ok=True, labels=CAUSE_LABELS, example="缺资金、缺技术"),
    Column("识别年度", "year_identified", True, example=2015),
    Column("联系电话", "phone", True, blank_ok=True, example="13805390000"),
    Column("开户银行", "bank_name", True, required=False, blank_ok=True, example="兰山农商银行"),
    Column("银行账号", "bank_account", True, required=False, blank_ok=True, example="6224000000000000000"),
    Column("姓名", "name", False, example="张三"),
    Column("公民身份号码", "id_number", False, example="371302197001010012"),
    Column("性别", "sex", False, required=False, blank_ok=True, labels=SEX_LABELS, example="男"),
    Column("与户主关系", "relation", False, labels=RELATION_LABELS, example="户主"),
    Column("民族", "ethnicity", False, example="汉族"),
    Column("文化程度", "education", False, blank_ok=True, labels=dict.fromkeys(EDUCATION_LEVELS), example="初中"),
    Column("在校生状况", "school_stage", False, blank_ok=True, labels=SCHOOL_LABELS, example="非在校生"),
    Column("健康状况", "health", False, labels=HEALTH_LABELS, example="长期慢性病"),
    Column("劳动能力", "labour_ability", False, labels=LABOUR_LABELS, example="普通劳动力"),
    Column("是否务工", "migrant_worker", False, labels=YES_NO, example="否"),
    Column("是否低保", "in_dibao", False, labels=YES_NO, example="否"),
    Column("是否参加新农合", "medical_insurance", False, labels=YES_NO, example="是"),
    Column("是否参加养老保险", "pension_insurance", False, labels=YES_NO, example="是"),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
HEADER = {key: column.header for key, column in COLUMN_BY_KEY.items()}

# The temporary table each run stages the checked rows in; NULL where a cell did not pass its check
# (that row already has an error) or, for optional columns, where the sheet has no such column.
STAGE_COLUMNS = (
    ("row_no", "integer"),
    ("file_number", "text"),
    ("village_id", "bigint"),
    ("grp", "text"),
    ("identification_standard", "text"),
    ("attribute", "text"),
    ("main_cause", "text"),
    ("other_causes", "text[]"),
    ("year_identified", "integer"),
    ("phone", "text"),
    ("bank_name", "text"),
    ("bank_account", "text"),
    ("name", "text"),
    ("id_number", "text"),
    ("relation", "text"),
    ("sex", "text"),
    ("birth_date", "date"),
    ("ethnicity", "text"),
    ("education", "text"),
    ("school_stage", "text"),
    ("health", "text"),
    ("labour_ability", "text"),
    ("migrant_worker", "boolean"),
    ("in_dibao", "boolean"),
    ("medical_insurance", "boolean"),
    ("pension_insurance", "boolean"),
)
STAGE_NAMES = tuple(name for name, _type in STAGE_COLUMNS)
# Household columns that every row of one household must agree on: (stage column, sheet column key).
HOUSEHOLD_STAGE_COLUMNS = (
    ("village_id", "village"),
    ("grp", "group"),
    ("identification_standard", "identification_standard"),
    ("attribute", "attribute"),
    ("main_cause", "main_cause"),
    ("other_causes", "other_causes"),
    ("year_identified", "year_identified"),
    ("phone", "phone"),
    ("bank_name", "bank_name"),
    ("bank_account", "bank_account"),
)


# The codes as plain values (an enum's value, not the enum): staged rows are formatted for COPY by type.
CODES = {
    column.key: {label: code.value if isinstance(code, Enum) else code for label, code in column.labels.items()}
    for column in COLUMNS
    if column.labels
}


def header_normalise(value) -> str:
    """Township sheets mark required columns with * and mix half- and full-width brackets."""
    text = re.sub(r"[\s*＊]", "", str(value or ""))
    return text.replace("(", "（").replace(")", "）")


class ImportOutdated(Exception):
    """Data changed between the check and the confirmation: the write found problems and wrote nothing."""

    def __init__(self, problem_count: int):
        super().__init__(problem_count)
        self.problem_count = problem_count


# ---------------------------------------------------------------------------------------------------
# Resident ID numbers in bulk


_ID_SHAPE = re.compile(ID_NUMBER_PATTERN, re.ASCII | re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def _birth_date(digits: str) -> dt.date | None:
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def id_number_parse_fast(value: str, today: dt.date) -> tuple[str, dt.date, str]:
    """``id_number_parse`` for well-formed numbers at a fraction of its cost: the same number, birth date
    and sex (``tests/households/test_import_ids.py`` compares them). Anything it cannot accept outright
    goes to ``id_number_parse``, whose ``ValidationError`` names the problem."""
    number = value.strip()
    if _ID_SHAPE.fullmatch(number):
        number = number.upper()
        birth_date = _birth_date(number[6:14])
        if (
            birth_date is not None
            and birth_date.year >= EARLIEST_BIRTH_YEAR
            and birth_date <= today
            and number[17] == _check_character(number)
        ):
            return number, birth_date, Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    resident = id_number_parse(value)
    return resident.number, resident.birth_date, resident.sex


def _check_character(number: str) -> str:
    """``id_check_character`` six times faster: the weights are 2^(18 - i) modulo 11 (``CHECK_WEIGHTS``) and
    13 = 2 modulo 11, so the 17 digits read in base 13 and doubled are the weighted sum modulo 11."""
    return CHECK_CHARACTERS[2 * int(number[:17], 13) % 11]


# ---------------------------------------------------------------------------------------------------
# Checking one row


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


@dataclass
class RowProblem:
    row: int
    column: str
    value: str
    message: str

    def as_error(self, job: ImportJob) -> ImportRowError:
        return ImportRowError(
            job=job, row=self.row, column=self.column, value=self.value[:200], message=self.message[:300]
        )


class RowParser:
    """Turns one sheet row into a staged tuple (STAGE_COLUMNS) and the problems of its cells."""

    def __init__(self, header: list, *, town: Town):
        positions = {header_normalise(value): index for index, value in enumerate(header) if value is not None}
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
            for word in filter(None, re.split(r"[、,，;；/\s]+", raw_causes)):
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
            code("relation"),
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


# ---------------------------------------------------------------------------------------------------
# The staging table and the set-based rules


def _stage_table_create(cursor, *, on_commit_drop: bool) -> None:
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in STAGE_COLUMNS)
    cursor.execute("DROP TABLE IF EXISTS pg_temp.import_row")
    cursor.execute(f"CREATE TEMPORARY TABLE import_row ({columns}){' ON COMMIT DROP' if on_commit_drop else ''}")


def _stage_analyse(cursor) -> None:
    """Statistics for the planner on the columns the rules join and group on: without them it guesses a
    temporary table's size and picks nested loops; with all 26 columns ANALYZE took a tenth of the check."""
    cursor.execute("ANALYZE import_row (row_no, file_number, id_number, relation, village_id)")


def _sheet_problems(cursor, *, town: Town, user) -> Iterator[RowProblem]:
    """The rules that need the whole file or the database, over ``import_row``; each query is one pass."""
    # A person twice in the file.
    cursor.execute(
        """
        SELECT row_no, id_number, first_row FROM (
            SELECT row_no, id_number, min(row_no) OVER (PARTITION BY id_number) AS first_row
            FROM import_row WHERE id_number IS NOT NULL
        ) rows WHERE row_no <> first_row ORDER BY row_no
        """
    )
    for row_no, id_number, first_row in _fetch(cursor):
        yield RowProblem(
            row_no, HEADER["id_number"], id_number,
            _("This person is also on row %(row)d of the sheet.") % {"row": first_row},
        )  # fmt: skip

    # Rows of one household that disagree on a household column: each row against the household's first,
    # column by column only where the whole rows differ.
    columns = [name for name, _key in HOUSEHOLD_STAGE_COLUMNS]
    pairs = ", ".join(f"({index}, r.{name}::text, f.{name}::text)" for index, name in enumerate(columns))
    row, first = (", ".join(f"{alias}.{name}" for name in columns) for alias in ("r", "f"))
    cursor.execute(
        f"""
        SELECT r.row_no, r.file_number, f.row_no, d.column_index, d.value, d.first_value
        FROM import_row r
        JOIN (SELECT DISTINCT ON (file_number) * FROM import_row WHERE file_number IS NOT NULL
              ORDER BY file_number, row_no) f ON f.file_number = r.file_number AND f.row_no <> r.row_no
        CROSS JOIN LATERAL (VALUES {pairs}) AS d(column_index, value, first_value)
        WHERE ({row}) IS DISTINCT FROM ({first})
          AND d.value IS NOT NULL AND d.first_value IS NOT NULL AND d.value <> d.first_value
        ORDER BY r.row_no, d.column_index
        """
    )
    for row_no, file_number, first_row, column_index, _value, _first in _fetch(cursor):
        key = HOUSEHOLD_STAGE_COLUMNS[column_index][1]
        yield RowProblem(
            row_no, HEADER[key], "",
            _("Household %(file)s says otherwise on row %(row)d: all rows of a household must agree.")
            % {"file": file_number, "row": first_row},
        )  # fmt: skip

    # One head of household per household.
    cursor.execute(
        """
        SELECT file_number, min(row_no), count(*) FILTER (WHERE relation = %s),
               array_agg(row_no ORDER BY row_no) FILTER (WHERE relation = %s)
        FROM import_row WHERE file_number IS NOT NULL
        GROUP BY file_number
        HAVING count(*) FILTER (WHERE relation = %s) <> 1 AND bool_and(relation IS NOT NULL)
        ORDER BY min(row_no)
        """,
        [Relation.HEAD, Relation.HEAD, Relation.HEAD],
    )
    for file_number, first_row, heads, head_rows in _fetch(cursor):
        if heads == 0:
            yield RowProblem(
                first_row, HEADER["relation"], "",
                _("Household %(file)s has no head of household (户主) in the sheet.") % {"file": file_number},
            )  # fmt: skip
        else:
            for row_no in head_rows[1:]:
                yield RowProblem(
                    row_no, HEADER["relation"], label_of(RELATION_LABELS, Relation.HEAD),
                    _("Household %(file)s already has its head of household on row %(row)d.")
                    % {"file": file_number, "row": head_rows[0]},
                )  # fmt: skip

    # File numbers of another town's households.
    cursor.execute(
        """
        SELECT min(r.row_no), r.file_number
        FROM import_row r
        JOIN households_household h ON h.file_number = r.file_number
        JOIN organisation_village v ON v.id = h.village_id
        WHERE v.town_id <> %s
        GROUP BY r.file_number ORDER BY 1
        """,
        [town.pk],
    )
    for row_no, file_number in _fetch(cursor):
        yield RowProblem(
            row_no, HEADER["file_number"], file_number,
            _("This file number belongs to a household of another town."),
        )  # fmt: skip

    # People already in a household of another town: told as much as the user may know.
    cursor.execute(
        """
        SELECT r.row_no, r.id_number, m.id
        FROM import_row r
        JOIN households_member m ON m.id_number = r.id_number
        JOIN households_household h ON h.id = m.household_id
        JOIN organisation_village v ON v.id = h.village_id
        WHERE v.town_id <> %s
        ORDER BY r.row_no
        """,
        [town.pk],
    )
    for batch in _batches(cursor):
        members = Member.objects.select_related("household__village__town").in_bulk([pk for *_, pk in batch])
        for row_no, id_number, member_pk in batch:
            yield RowProblem(
                row_no, HEADER["id_number"], id_number, where_registered_message(user, members[member_pk])
            )

    # A household of this town whose present head is not in the sheet would end with two heads.
    cursor.execute(
        """
        SELECT DISTINCT ON (h.id) r.row_no, h.file_number, m.name, m.id_number
        FROM import_row r
        JOIN households_household h ON h.file_number = r.file_number
        JOIN households_member m ON m.household_id = h.id AND m.relation = %s
        WHERE r.relation = %s
          AND NOT EXISTS (SELECT 1 FROM import_row o WHERE o.id_number = m.id_number)
        ORDER BY h.id, r.row_no
        """,
        [Relation.HEAD, Relation.HEAD],
    )
    for row_no, file_number, name, id_number in _fetch(cursor):
        yield RowProblem(
            row_no, HEADER["relation"], label_of(RELATION_LABELS, Relation.HEAD),
            _("Household %(file)s already has a head of household, %(name)s (%(id)s), who is not in the sheet.")
            % {"file": file_number, "name": name, "id": id_number_mask(id_number)},
        )  # fmt: skip

    # Villages that left the town since the sheet was read (the parser resolved them in the town).
    cursor.execute(
        """
        SELECT min(r.row_no) FROM import_row r LEFT JOIN organisation_village v ON v.id = r.village_id
        WHERE r.village_id IS NOT NULL AND (v.id IS NULL OR v.town_id <> %s)
        GROUP BY r.village_id ORDER BY 1
        """,
        [town.pk],
    )
    for (row_no,) in _fetch(cursor):
        yield RowProblem(
            row_no, HEADER["village"], "",
            _("%(town)s has no village or community of this name.") % {"town": town.name},
        )  # fmt: skip


def _fetch(cursor) -> Iterator[tuple]:
    for batch in _batches(cursor):
        yield from batch


def _batches(cursor, size: int = 2000) -> Iterator[list[tuple]]:
    while batch := cursor.fetchmany(size):
        yield batch


def _sheet_summary(cursor, *, town: Town) -> dict[str, int]:
    cursor.execute(
        """
        SELECT
          (SELECT count(DISTINCT file_number) FROM import_row),
          (SELECT count(DISTINCT r.file_number) FROM import_row r
             JOIN households_household h ON h.file_number = r.file_number
             JOIN organisation_village v ON v.id = h.village_id AND v.town_id = %s),
          (SELECT count(*) FROM import_row),
          (SELECT count(*) FROM import_row r JOIN households_member m ON m.id_number = r.id_number)
        """,
        [town.pk],
    )
    households, households_existing, members, members_existing = cursor.fetchone()
    return {
        "households_new": households - households_existing,
        "households_updated": households_existing,
        "members_new": members - members_existing,
        "members_updated": members_existing,
    }


# ---------------------------------------------------------------------------------------------------
# The two runs: check, then write


@dataclass
class CheckOutcome:
    rows: int = 0
    error_count: int = 0
    summary: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def staged_name(job: ImportJob) -> str:
    return f"imports/staged/job-{job.pk}.copy"


@dataclass
class CheckedChunk:
    """The checked rows of one chunk of the sheet, as COPY text for ``import_row``, and their problems."""

    index: int
    copy_data: bytes = b""
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0


def _chunks_checked(
    reader: SheetReader, parser: "RowParser", header_row: int, share: int, shares: int
) -> Iterator[CheckedChunk]:
    """Read and check the rows below the header of chunks ``share``, ``share + shares`` … of the sheet."""
    chunk, lines = None, []
    for index, row_no, values in reader.rows_in_chunks(chunk_rows=CHUNK_ROWS, share=share, shares=shares):
        if values is None:  # a chunk begins
            if chunk is not None:
                chunk.copy_data = "".join(lines).encode()
                yield chunk
            chunk, lines = CheckedChunk(index), []
        elif row_no > header_row and any(value is not None and value != "" for value in values):
            row, problems = parser.parse(row_no, values)
            lines.append(copy_line(row))
            chunk.problems.extend(problems)
            chunk.rows += 1
    if chunk is not None:
        chunk.copy_data = "".join(lines).encode()
        yield chunk


# A line is built with NUL between fields and \x01 for NULL (neither can come out of an xlsx: XML 1.0 has no
# such characters), then escaped for COPY in one pass, which turns them into the tab and \N.
_FIELD, _NULL = "\x00", "\x01"
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_LINE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", _FIELD: "\t", _NULL: "\\N"})


def _copy_text(value) -> str:
    if isinstance(value, str):  # codes are str enums: their text is their value
        return str.__str__(value)
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | dt.date):
        return str(value)
    if isinstance(value, list):
        items = (item.replace("\\", "\\\\").replace('"', '\\"') for item in value)
        return "{" + ",".join(f'"{item}"' for item in items) + "}"
    raise TypeError(f"no COPY text for {value!r}")


def copy_line(row: tuple) -> str:
    """A staged row as a line of COPY's text format (as psycopg's ``write_row`` would send it)."""
    line = _FIELD.join(
        [_NULL if value is None else value if value.__class__ is str else _copy_text(value) for value in row]
    )
    if line.count(_FIELD) != len(row) - 1 or line.count(_NULL) != row.count(None):
        raise ValueError("a cell holds a control character that no worksheet can hold")
    if _COPY_SPECIAL.search(line):  # rare: translate() looks up every character
        return line.translate(_COPY_LINE) + "\n"
    return line.replace(_FIELD, "\t").replace(_NULL, "\\N") + "\n"


def sheet_check(
    job: ImportJob, *, user, on_progress: Callable[[int, int | None], None] | None = None, timings: bool = False
) -> CheckOutcome:
    """Read and check every row of the job's file, store each problem as an ImportRowError, and keep the
    checked rows (staged) for the write. ``SheetRejected`` when the file itself is unusable."""
    clock = time.perf_counter
    outcome = CheckOutcome()
    spent = {"read": 0.0, "read and check": 0.0, "stage": 0.0, "rules": 0.0}
    town = job.town
    stored = 0

    def store(problems: list[RowProblem]) -> None:
        nonlocal stored
        outcome.error_count += len(problems)
        room = MAX_ERRORS_STORED - stored
        if room > 0 and problems:
            ImportRowError.objects.bulk_create([problem.as_error(job) for problem in problems[:room]])
            stored += min(room, len(problems))

    with job.file.open("rb") as upload:
        reader = SheetReader(upload)
        started = clock()
        header_row, header = _header_find(reader.rows())
        parser = RowParser(header, town=town)
        total = (reader.max_row - header_row) if reader.max_row else None
        processes = settings.HOUSEHOLD_IMPORT_PROCESSES or processes_available()
        if processes > 1:

            def work(share: int, shares: int) -> Iterator[CheckedChunk]:
                with job.file.storage.open(job.file.name, "rb") as own:
                    yield from _chunks_checked(reader.reopened(own), parser, header_row, share, shares)

            chunks = forked_records(work, processes)
        else:
            chunks = _chunks_checked(reader, parser, header_row, 0, 1)
        spent["read"] += clock() - started
        with connection.cursor() as cursor:
            _stage_table_create(cursor, on_commit_drop=False)
            try:
                while True:
                    started = clock()
                    chunk = next(chunks, None)
                    checked = clock()
                    spent["read and check"] += checked - started
                    if chunk is None:
                        break
                    with cursor.copy(f"COPY import_row ({', '.join(STAGE_NAMES)}) FROM STDIN") as copy:
                        copy.write(chunk.copy_data)
                    store(chunk.problems)
                    outcome.rows += chunk.rows
                    spent["stage"] += clock() - checked
                    if on_progress:
                        on_progress(outcome.rows, total)
                if not outcome.rows:
                    raise SheetRejected([("", _("The sheet has no rows below its header."))])
                started = clock()
                _stage_analyse(cursor)
                batch: list[RowProblem] = []
                for problem in _sheet_problems(cursor, town=town, user=user):
                    batch.append(problem)
                    if len(batch) >= CHUNK_ROWS:
                        store(batch)
                        batch = []
                store(batch)
                outcome.summary = _sheet_summary(cursor, town=town)
                if not outcome.error_count:
                    outcome.summary["staged_sha256"] = _stage_keep(cursor, job)
                spent["rules"] += clock() - started
            finally:
                cursor.execute("DROP TABLE IF EXISTS pg_temp.import_row")
    if timings:
        outcome.timings = spent
    return outcome


def _header_find(rows: Iterator[tuple[int, list]], *, within: int = 10) -> tuple[int, list]:
    """The header row: township sheets often put a title (兰山区某某镇贫困户花名册) above it. The first row
    holding 户编号 and 公民身份号码 among the first ``within``; else the first row, whose missing columns
    are then reported."""
    wanted = {HEADER["file_number"], HEADER["id_number"]}
    seen = []
    for number, values in itertools.islice(rows, within):
        if wanted <= {header_normalise(value) for value in values}:
            return number, values
        seen.append((number, values))
    if not seen:
        raise SheetRejected([("", _("The sheet is empty."))])
    return seen[0]


def _stage_keep(cursor, job: ImportJob) -> str:
    """Dump ``import_row`` beside the upload; the write loads it back instead of reading the xlsx again."""
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as dump:
        with cursor.copy("COPY import_row TO STDOUT") as copy:
            for data in copy:
                digest.update(data)
                dump.write(data)
        dump.seek(0)
        storage = job.file.storage
        name = staged_name(job)
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, File(dump))
        if saved != name:
            raise RuntimeError(f"staged rows saved as {saved}, not {name}")
    return digest.hexdigest()


def staged_discard(job: ImportJob) -> None:
    storage = job.file.storage
    if storage.exists(staged_name(job)):
        storage.delete(staged_name(job))


@dataclass
class WriteOutcome:
    households_created: int = 0
    households_changed: int = 0
    members_created: int = 0
    members_changed: int = 0
    timings: dict[str, float] = field(default_factory=dict)


HOUSEHOLD_UPDATES = (
    ("village_id", "s.village_id"),
    ('"group"', "s.grp"),
    ("identification_standard", "s.identification_standard"),
    ("attribute", "s.attribute"),
    ("main_cause", "s.main_cause"),
    ("other_causes", "s.other_causes::varchar(20)[]"),
    ("year_identified", "s.year_identified"),
    ("phone", "s.phone"),
    ("bank_name", "coalesce(s.bank_name, h.bank_name)"),
    ("bank_account", "coalesce(s.bank_account, h.bank_account)"),
)
MEMBER_UPDATES = (
    ("household_id", "s.household_id"),
    ("name", "s.name"),
    ("relation", "s.relation"),
    ("sex", "s.sex"),
    ("birth_date", "s.birth_date"),
    ("ethnicity", "s.ethnicity"),
    ("education", "s.education"),
    ("school_stage", "s.school_stage"),
    ("health", "s.health"),
    ("labour_ability", "s.labour_ability"),
    ("migrant_worker", "s.migrant_worker"),
    ("in_dibao", "s.in_dibao"),
    ("medical_insurance", "s.medical_insurance"),
    ("pension_insurance", "s.pension_insurance"),
)


def _changed(target: str, updates) -> str:
    """Only rows whose values change are written: an unchanged row adds no history event."""
    columns = ", ".join(f"{target}.{column}" for column, _value in updates)
    values = ", ".join(value for _column, value in updates)
    return f"({columns}) IS DISTINCT FROM ({values})"


def _stage_parts(cursor, table: str, select: str, *, parts: int) -> list[int]:
    """Create the temporary ``table`` from ``select`` (which gives each row its ``part``, 0 to parts - 1),
    numbering the rows of each part in sheet order as ``seq``; the number of rows of each part."""
    # Dropped at the commit, or here when an enclosing transaction (a benchmark's) writes twice.
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS
        SELECT row_number() OVER (PARTITION BY part ORDER BY row_no) AS seq, staged.*
        FROM ({select}) staged
        """
    )
    cursor.execute(f"CREATE INDEX ON {table} (part, seq)")
    cursor.execute(f"SELECT part, count(*) FROM {table} GROUP BY part")
    counts = dict(cursor.fetchall())
    return [counts.get(part, 0) for part in range(parts)]


def _chunks(count: int) -> Iterator[list[int]]:
    """The bounds of seq of each chunk of ``count`` rows."""
    for low in range(1, count + 1, CHUNK_ROWS):
        yield [low, low + CHUNK_ROWS - 1]


def sheet_write(job: ImportJob, *, user, timings: bool = False) -> WriteOutcome:
    """Write the rows the check staged, all or nothing, in one transaction. ``ImportOutdated`` (nothing
    written) when the rules find a problem now that they did not find at the check."""
    clock = time.perf_counter
    outcome = WriteOutcome()
    spent: dict[str, float] = {}
    town = job.town
    expected = job.summary.get("staged_sha256")
    with (
        transaction.atomic(),
        history_context(import_job=job.pk, import_file=job.original_name, user=user.pk),
        connection.cursor() as cursor,
    ):
        started = clock()
        # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED: each row would queue a check for the
        # commit, and with that queue growing, every later row's history trigger runs slower (the write
        # becomes quadratic: 70 us/row at first, 800 after 30,000 rows). Checked at each statement's end
        # instead, the cost stays flat; the keys are checked all the same.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _stage_table_create(cursor, on_commit_drop=True)
        digest = hashlib.sha256()
        with job.file.storage.open(staged_name(job), "rb") as dump, cursor.copy("COPY import_row FROM STDIN") as copy:
            while data := dump.read(1 << 20):
                digest.update(data)
                copy.write(data)
        if digest.hexdigest() != expected:
            raise RuntimeError(f"the staged rows of import {job.pk} are not those the check made")
        _stage_analyse(cursor)
        spent["load"] = clock() - started

        started = clock()
        # Hold what the rules look at until the commit, so what they find stays true while we write.
        cursor.execute(
            "SELECT count(*) FROM (SELECT h.id FROM households_household h"
            " WHERE h.file_number IN (SELECT file_number FROM import_row) ORDER BY h.id FOR UPDATE) locked"
        )
        cursor.execute(
            "SELECT count(*) FROM (SELECT m.id FROM households_member m"
            " WHERE m.id_number IN (SELECT id_number FROM import_row) ORDER BY m.id FOR UPDATE) locked"
        )
        problems = sum(1 for _problem in _sheet_problems(cursor, town=town, user=user))
        if problems:
            raise ImportOutdated(problems)
        spent["recheck"] = clock() - started

        started = clock()
        # Each row to write is numbered within its part (new, or an update), and the parts are written in
        # chunks of CHUNK_ROWS through an index: a statement's history (its transition table, the events it
        # seals) stays bounded, and no chunk scans the whole table.
        new_households, old_households = _stage_parts(
            cursor,
            "import_household",
            """
            SELECT s.*, h.id AS household_id, (h.id IS NOT NULL)::int AS part
            FROM (SELECT DISTINCT ON (file_number) * FROM import_row ORDER BY file_number, row_no) s
            LEFT JOIN households_household h ON h.file_number = s.file_number
            """,
            parts=2,
        )
        for bounds in _chunks(old_households):
            cursor.execute(
                f"""
                UPDATE households_household h
                SET {", ".join(f"{column} = {value}" for column, value in HOUSEHOLD_UPDATES)}, updated_at = now()
                FROM import_household s
                WHERE h.id = s.household_id AND s.part = 1 AND s.seq BETWEEN %s AND %s
                  AND {_changed("h", HOUSEHOLD_UPDATES)}
                """,
                bounds,
            )
            outcome.households_changed += cursor.rowcount
        for bounds in _chunks(new_households):
            cursor.execute(
                """
                INSERT INTO households_household (
                    file_number, village_id, "group", address, phone, bank_name, bank_account,
                    identification_standard, attribute, main_cause, other_causes, year_identified, status,
                    food_and_clothing_secure, house_structure, housing_grade, water_source,
                    drinking_water_difficult, created_at, updated_at)
                SELECT s.file_number, s.village_id, s.grp, '', s.phone, coalesce(s.bank_name, ''),
                       coalesce(s.bank_account, ''), s.identification_standard, s.attribute, s.main_cause,
                       s.other_causes::varchar(20)[], s.year_identified, %s, false, '', '', '', false, now(), now()
                FROM import_household s
                WHERE s.part = 0 AND s.seq BETWEEN %s AND %s
                ORDER BY s.seq
                """,
                [HouseholdStatus.NOT_OUT, *bounds],
            )
            outcome.households_created += cursor.rowcount
        spent["households"] = clock() - started

        started = clock()
        # Part 1 updates members who stay or become other than head, part 2 heads: a head who stops being one
        # makes room before another member becomes head.
        new_members, other_members, heads = _stage_parts(
            cursor,
            "import_member",
            f"""
            SELECT r.*, h.id AS household_id, m.id AS member_id,
                   CASE WHEN m.id IS NULL THEN 0 WHEN r.relation = '{Relation.HEAD}' THEN 2 ELSE 1 END AS part
            FROM import_row r
            JOIN households_household h ON h.file_number = r.file_number
            LEFT JOIN households_member m ON m.id_number = r.id_number
            """,
            parts=3,
        )
        changed = _changed("m", MEMBER_UPDATES)
        assignments = ", ".join(f"{column} = {value}" for column, value in MEMBER_UPDATES)
        for part, count in ((1, other_members), (2, heads)):
            for bounds in _chunks(count):
                cursor.execute(
                    f"""
                    UPDATE households_member m SET {assignments}
                    FROM import_member s
                    WHERE m.id = s.member_id AND s.part = %s AND s.seq BETWEEN %s AND %s AND {changed}
                    """,
                    [part, *bounds],
                )
                outcome.members_changed += cursor.rowcount
        for bounds in _chunks(new_members):
            cursor.execute(
                """
                INSERT INTO households_member (
                    household_id, name, id_number, relation, sex, birth_date, ethnicity, education,
                    school_stage, health, labour_ability, migrant_worker, in_dibao, medical_insurance,
                    pension_insurance, dropout_risk)
                SELECT s.household_id, s.name, s.id_number, s.relation, s.sex, s.birth_date, s.ethnicity,
                       s.education, s.school_stage, s.health, s.labour_ability, s.migrant_worker, s.in_dibao,
                       s.medical_insurance, s.pension_insurance, false
                FROM import_member s
                WHERE s.part = 0 AND s.seq BETWEEN %s AND %s
                ORDER BY s.seq
                """,
                bounds,
            )
            outcome.members_created += cursor.rowcount
        spent["members"] = clock() - started
    if timings:
        outcome.timings = spent
    return outcome
