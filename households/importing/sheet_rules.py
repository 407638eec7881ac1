"""The rules that need the whole sheet or the database, each one set-based query over ``import_row``: a person
twice in the file, household rows that disagree, one head per household, file numbers and people of other towns,
heads not in the file, villages that left the town."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from households.choices import Relation
from households.id_numbers import id_number_mask
from households.importing.columns import HEADER, RELATION_LABELS, label_of
from households.importing.rows import RowProblem
from households.importing.staging import HOUSEHOLD_STAGE_COLUMNS
from households.models import Member
from households.rules import relation_sex_conflict
from households.services.files import where_registered_message
from organisation.models import Town


def sheet_problems(cursor, *, town: Town, user) -> Iterator[RowProblem]:
    """The rules that need the whole file or the database, over ``import_row``; each query is one pass."""
    # A person twice in the file. The numbers found twice first (hashed, no sort of the whole sheet: a valid sheet
    # has none), then the rows of those numbers only.
    cursor.execute(
        """
        WITH twice AS MATERIALIZED (
            SELECT id_number FROM import_row WHERE id_number IS NOT NULL GROUP BY id_number HAVING count(*) > 1
        )
        SELECT row_no, id_number, first_row FROM (
            SELECT row_no, id_number, min(row_no) OVER (PARTITION BY id_number) AS first_row
            FROM import_row WHERE id_number IN (SELECT id_number FROM twice)
        ) rows WHERE row_no <> first_row ORDER BY row_no
        """
    )
    for row_no, id_number, first_row in _fetch(cursor):
        yield RowProblem(
            row_no, HEADER["id_number"], id_number,
            _("This person is also on row %(row)d of the sheet.") % {"row": first_row},
        )  # fmt: skip

    # Rows of one household that disagree on a household column: each row against the household's first,
    # column by column only where the whole rows differ. The households whose rows come in more than one version
    # first (hashed: a valid sheet has none), then the rows of those households only.
    columns = [name for name, _key in HOUSEHOLD_STAGE_COLUMNS]
    pairs = ", ".join(f"({index}, r.{name}::text, f.{name}::text)" for index, name in enumerate(columns))
    row, first = (", ".join(f"{alias}.{name}" for name in columns) for alias in ("r", "f"))
    cursor.execute(
        f"""
        WITH disagreeing AS MATERIALIZED (
            SELECT file_number FROM (
                SELECT DISTINCT file_number, {", ".join(columns)} FROM import_row WHERE file_number IS NOT NULL
            ) versions
            GROUP BY file_number HAVING count(*) > 1
        )
        SELECT r.row_no, r.file_number, f.row_no, d.column_index, d.value, d.first_value
        FROM import_row r
        JOIN (SELECT DISTINCT ON (file_number) * FROM import_row
              WHERE file_number IN (SELECT file_number FROM disagreeing)
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

    # A spouse of the head's own sex (the head on another row of the same household).
    cursor.execute(
        """
        SELECT r.row_no, r.relation, r.sex, h.sex
        FROM import_row r
        JOIN import_row h ON h.file_number = r.file_number AND h.relation = %s
        WHERE r.relation = %s
        ORDER BY r.row_no
        """,
        [Relation.HEAD, Relation.SPOUSE],
    )
    for row_no, relation, sex, head_sex in _fetch(cursor):
        if conflict := relation_sex_conflict(relation, sex, head_sex=head_sex):
            yield RowProblem(row_no, HEADER["relation"], label_of(RELATION_LABELS, relation), conflict)

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


def sheet_summary(cursor, *, town: Town) -> dict[str, int]:
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
