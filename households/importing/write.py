"""The write: load the rows the check staged, lock what they match, run the set-based rules again, and write
every household and member with INSERT ... SELECT / UPDATE ... FROM in one transaction."""

import hashlib
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field

from django.db import connection, transaction

from history.bulk import BulkSource, bulk_event, stored_sha256
from history.context import history_context
from households.choices import HouseholdStatus, Relation
from households.importing.check import CHUNK_ROWS
from households.importing.history import IMPORT_EVENT
from households.importing.sheet_rules import sheet_problems
from households.importing.staging import stage_analyse, stage_table_create, stage_work_mem, staged_name
from households.models import Household, ImportJob, Member


class ImportOutdated(Exception):
    """Data changed between the check and the confirmation: the write found problems and wrote nothing."""

    def __init__(self, problem_count: int):
        super().__init__(problem_count)
        self.problem_count = problem_count


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


def _stage_parts(cursor, table: str, select: str, *, parts: int, model) -> list[int]:
    """Create the temporary ``table`` from ``select`` (which gives each row its ``part``, 0 to parts - 1),
    numbering the rows of each part in sheet order as ``seq``, and giving each row of part 0 (the rows to
    insert) its ``new_id`` from ``model``'s id sequence, in sheet order; the number of rows of each part."""
    # Dropped at the commit, or here when an enclosing transaction (a benchmark's) writes twice.
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    # The ids are drawn here so that the inserts need not return them: each row written is listed in the bulk
    # event straight from this table, with no join back from RETURNING. The sequence is named once: looked up
    # in each row's nextval, it took 3 us a row.
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
    (sequence,) = cursor.fetchone()
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS
        SELECT CASE WHEN part = 0 THEN nextval(%s::regclass) END AS new_id, numbered.*
        FROM (
            SELECT row_number() OVER (PARTITION BY part ORDER BY row_no) AS seq, staged.*
            FROM ({select}) staged
            ORDER BY part, row_no  -- the window's order (that of seq): no second sort
        ) numbered
        """,
        [sequence],
    )
    cursor.execute(f"CREATE INDEX ON {table} (part, seq)")
    cursor.execute(f"SELECT part, count(*) FROM {table} GROUP BY part")
    counts = dict(cursor.fetchall())
    return [counts.get(part, 0) for part in range(parts)]


def _chunks(count: int) -> Iterator[list[int]]:
    """The bounds of seq of each chunk of ``count`` rows."""
    for low in range(1, count + 1, CHUNK_ROWS):
        yield [low, low + CHUNK_ROWS - 1]


def sheet_write(job: ImportJob, *, user, timings: bool = False, per_row_history: bool = False) -> WriteOutcome:
    """Write the rows the check staged, all or nothing, in one transaction. ``ImportOutdated`` (nothing
    written) when the rules find a problem now that they did not find at the check.

    The history of the write is one sealed ``history.BulkEvent`` for the job (``history.bulk``): the sha256 of the
    stored sheet and of the staged rows, and every household and member written with its sheet row.
    ``per_row_history``: one history event per row instead (the benchmark's "before")."""
    clock = time.perf_counter
    outcome = WriteOutcome()
    spent: dict[str, float] = {}
    town = job.town
    expected = job.summary.get("staged_sha256")
    with (
        transaction.atomic(),
        history_context(import_job=job.pk, import_file=job.original_name, user=user.pk),
        connection.cursor() as cursor,
        stage_work_mem(cursor),
        ExitStack() as bulk_stack,
    ):
        started = clock()
        # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED: each row would queue a check for the
        # commit, and with that queue growing, every later row's history trigger runs slower (the write
        # becomes quadratic: 70 us/row at first, 800 after 30,000 rows). Checked at each statement's end
        # instead, the cost stays flat; the keys are checked all the same.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        stage_table_create(cursor, on_commit_drop=True)
        digest = hashlib.sha256()
        with job.file.storage.open(staged_name(job), "rb") as dump, cursor.copy("COPY import_row FROM STDIN") as copy:
            while data := dump.read(1 << 20):
                digest.update(data)
                copy.write(data)
        if digest.hexdigest() != expected:
            raise RuntimeError(f"the staged rows of import {job.pk} are not those the check made")
        stage_analyse(cursor)
        spent["load"] = clock() - started
        source = BulkSource(
            kind=IMPORT_EVENT,
            job_id=job.pk,
            user_id=user.pk,
            file_name=job.file.name,
            original_name=job.original_name,
            file_sha256=stored_sha256(job.file.name),
            staged_sha256=digest.hexdigest(),
        )
        covered = bulk_stack.enter_context(
            bulk_event(source=source, models_written=[Household, Member], per_row=per_row_history)
        )

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
        problems = sum(1 for _problem in sheet_problems(cursor, town=town, user=user))
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
            model=Household,
        )
        for bounds in _chunks(old_households):
            cursor.execute(
                f"""
                WITH written AS (
                    UPDATE households_household h
                    SET {", ".join(f"{column} = {value}" for column, value in HOUSEHOLD_UPDATES)}, updated_at = now()
                    FROM import_household s
                    WHERE h.id = s.household_id AND s.part = 1 AND s.seq BETWEEN %s AND %s
                      AND {_changed("h", HOUSEHOLD_UPDATES)}
                    RETURNING h.id, s.row_no
                )
                INSERT INTO {covered} SELECT 'households_household', id, row_no, false FROM written
                """,
                bounds,
            )
            outcome.households_changed += cursor.rowcount
        for bounds in _chunks(new_households):
            cursor.execute(
                """
                INSERT INTO households_household (
                    id, file_number, village_id, "group", address, phone, bank_name, bank_account,
                    identification_standard, attribute, main_cause, other_causes, year_identified, status,
                    food_and_clothing_secure, house_structure, housing_grade, water_source,
                    drinking_water_difficult, created_at, updated_at)
                SELECT s.new_id, s.file_number, s.village_id, s.grp, '', s.phone, coalesce(s.bank_name, ''),
                       coalesce(s.bank_account, ''), s.identification_standard, s.attribute, s.main_cause,
                       s.other_causes::varchar(20)[], s.year_identified, %s, false, '', '', '', false, now(), now()
                FROM import_household s
                WHERE s.part = 0 AND s.seq BETWEEN %s AND %s
                ORDER BY s.seq
                """,
                [HouseholdStatus.NOT_OUT, *bounds],
            )
            outcome.households_created += cursor.rowcount
        # Every row of part 0 was inserted with its new_id (a chunk inserts all its rows or fails the write).
        cursor.execute(
            f"INSERT INTO {covered} SELECT 'households_household', new_id, row_no, true"
            " FROM import_household WHERE part = 0"
        )
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
            model=Member,
        )
        changed = _changed("m", MEMBER_UPDATES)
        assignments = ", ".join(f"{column} = {value}" for column, value in MEMBER_UPDATES)
        for part, count in ((1, other_members), (2, heads)):
            for bounds in _chunks(count):
                cursor.execute(
                    f"""
                    WITH written AS (
                        UPDATE households_member m SET {assignments}
                        FROM import_member s
                        WHERE m.id = s.member_id AND s.part = %s AND s.seq BETWEEN %s AND %s AND {changed}
                        RETURNING m.id, s.row_no
                    )
                    INSERT INTO {covered} SELECT 'households_member', id, row_no, false FROM written
                    """,
                    [part, *bounds],
                )
                outcome.members_changed += cursor.rowcount
        for bounds in _chunks(new_members):
            cursor.execute(
                """
                INSERT INTO households_member (
                    id, household_id, name, id_number, relation, sex, birth_date, ethnicity, education,
                    school_stage, health, labour_ability, migrant_worker, in_dibao, medical_insurance,
                    pension_insurance, dropout_risk)
                SELECT s.new_id, s.household_id, s.name, s.id_number, s.relation, s.sex, s.birth_date, s.ethnicity,
                       s.education, s.school_stage, s.health, s.labour_ability, s.migrant_worker, s.in_dibao,
                       s.medical_insurance, s.pension_insurance, false
                FROM import_member s
                WHERE s.part = 0 AND s.seq BETWEEN %s AND %s
                ORDER BY s.seq
                """,
                bounds,
            )
            outcome.members_created += cursor.rowcount
        cursor.execute(
            f"INSERT INTO {covered} SELECT 'households_member', new_id, row_no, true FROM import_member WHERE part = 0"
        )
        spent["members"] = clock() - started

        started = clock()
        bulk_stack.close()  # the job's bulk event written and sealed
        spent["history"] = clock() - started
    if timings:
        outcome.timings = spent
    return outcome
