import hashlib
import hmac
from io import StringIO
from itertools import pairwise

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from history import verify
from history.models import Checkpoint, Seal
from history.services import SIGNING_SALT, history_checkpoint_write
from history.tasks import write_checkpoint
from organisation.models import Village, VillageEvent


def run_verify_history() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_history", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def latest_event(village) -> VillageEvent:
    return VillageEvent.objects.filter(pgh_obj_id=village.pk).latest("pgh_id")


def seal_of(event) -> Seal:
    return Seal.objects.get(event_table="organisation_villageevent", event_ids__contains=[event.pgh_id])


def statement_digest(previous: str | None, event_table: str, event_digests: list[bytes]) -> str:
    """The digest of a scheme-2 seal, as the issue defines it, recomputed outside the database."""
    prefix = f"{previous or ''}|{event_table}|".encode()
    return hashlib.sha256(prefix + b"".join(event_digests)).hexdigest()


def event_digests_in_database(event_ids: list[int]) -> list[bytes]:
    """Each event's sha256 of its payload's text, as the issue defines it, in id order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sha256(convert_to(history_payload(e)::text, 'UTF8')) FROM organisation_villageevent e"
            " WHERE pgh_id = ANY(%s) ORDER BY pgh_id",
            [event_ids],
        )
        return [bytes(digest) for (digest,) in cursor.fetchall()]


@pytest.fixture
def edited_village(yangjia):
    yangjia.name = "杨家庄"
    yangjia.save()
    Village.objects.filter(pk=yangjia.pk).update(is_key_village=True)
    return yangjia


def test_clean_history_passes(edited_village):
    # given a gap in the seal ids, left by a transaction that rolled back, and a checkpoint
    with pytest.raises(RuntimeError), transaction.atomic():
        Village.objects.create(town=edited_village.town, name="西岭村", code="371302109203")
        raise RuntimeError("rolled back")
    Village.objects.create(town=edited_village.town, name="南湖村", code="371302109204")
    history_checkpoint_write()

    # when
    code, output = run_verify_history()

    # then
    assert code == 0, output
    head = Seal.objects.order_by("-id").first()
    assert f"digest {head.digest}" in output
    assert "No problems found." in output


def test_every_event_is_sealed_into_one_chain(edited_village):
    # when
    seals = list(Seal.objects.order_by("id"))

    # then
    events = VillageEvent.objects.filter(pgh_obj_id=edited_village.pk)
    village_seals = [seal for seal in seals if seal.event_table == "organisation_villageevent"]
    sealed = {event_id for seal in village_seals for event_id in seal.event_ids}
    assert sealed >= {event.pgh_id for event in events}
    assert {seal.scheme for seal in seals} == {Seal.Scheme.STATEMENT}
    assert seals[0].prev_digest is None
    for previous, seal in pairwise(seals):
        assert seal.prev_digest == previous.digest


def test_one_statement_is_sealed_by_one_seal_covering_its_events_in_order(yangjia):
    # given
    head = Seal.objects.order_by("-id").first()
    events_before = Seal.objects.event_count()

    # when one statement writes three villages, and another changes all four
    Village.objects.bulk_create(
        [Village(town=yangjia.town, name=f"新村{n}", code=f"37130210930{n}") for n in range(3)]
    )
    Village.objects.filter(town=yangjia.town).update(is_key_village=True)

    # then each statement has one seal, listing its events in id order with each one's digest
    created, updated = Seal.objects.filter(id__gt=head.id).order_by("id")
    events = list(VillageEvent.objects.order_by("pgh_id").values_list("pgh_label", "pgh_id"))
    assert created.event_ids == [pgh_id for label, pgh_id in events if label == "insert"][-3:]
    assert updated.event_ids == [pgh_id for label, pgh_id in events if label == "update"]
    assert len(updated.event_ids) == 4
    assert Seal.objects.event_count() == events_before + 7
    for seal, previous in [(created, head.digest), (updated, created.digest)]:
        assert (seal.scheme, seal.event_table, seal.event_id) == (
            Seal.Scheme.STATEMENT,
            "organisation_villageevent",
            None,
        )
        assert [bytes(digest) for digest in seal.event_digests] == event_digests_in_database(seal.event_ids)
        assert seal.prev_digest == previous
        assert seal.digest == statement_digest(previous, seal.event_table, event_digests_in_database(seal.event_ids))
        assert "name" in seal.columns and "pgh_id" in seal.columns
    assert verify.history_verify() == []


def test_an_event_edited_in_the_database_is_reported_with_its_table_and_id(edited_village, raw_sql):
    # given
    event = latest_event(edited_village)

    # when someone rewrites the history entry past the append-only trigger
    raw_sql("UPDATE organisation_villageevent SET name = %s WHERE pgh_id = %s", ["伪造村", event.pgh_id])

    # then
    code, output = run_verify_history()
    assert code == 1
    assert f"organisation_villageevent #{event.pgh_id} does not match seal #{seal_of(event).id}" in output
    [problem] = verify.history_verify()
    assert (problem.kind, problem.event_table, problem.event_id) == (
        verify.EVENT_ALTERED,
        "organisation_villageevent",
        event.pgh_id,
    )


def test_a_deleted_event_is_reported(edited_village, raw_sql):
    # given
    event = latest_event(edited_village)

    # when
    raw_sql("DELETE FROM organisation_villageevent WHERE pgh_id = %s", [event.pgh_id])

    # then
    code, output = run_verify_history()
    assert code == 1
    assert f"organisation_villageevent #{event.pgh_id} was deleted" in output
    assert [(p.kind, p.event_id) for p in verify.history_verify()] == [(verify.EVENT_MISSING, event.pgh_id)]


def test_a_deleted_seal_breaks_the_chain(edited_village, raw_sql):
    # given a seal in the middle of the chain
    first_event = VillageEvent.objects.filter(pgh_obj_id=edited_village.pk).earliest("pgh_id")
    seal = seal_of(first_event)
    next_seal = Seal.objects.filter(id__gt=seal.id).order_by("id").first()

    # when
    raw_sql("DELETE FROM history_seal WHERE id = %s", [seal.id])

    # then the event lost its seal and the next seal links to nothing
    code, output = run_verify_history()
    assert code == 1
    problems = {(p.kind, p.event_id, p.seal_id) for p in verify.history_verify()}
    assert problems == {
        (verify.EVENT_UNSEALED, first_event.pgh_id, None),
        (verify.CHAIN_BROKEN, None, next_seal.id),
    }
    assert f"Seal #{next_seal.id} does not link to the seal before it" in output


def test_an_edited_seal_is_reported(edited_village, raw_sql):
    # given
    event = VillageEvent.objects.filter(pgh_obj_id=edited_village.pk).earliest("pgh_id")
    seal = seal_of(event)

    # when
    raw_sql("UPDATE history_seal SET digest = repeat('0', 64) WHERE id = %s", [seal.id])

    # then
    problems = {(p.kind, p.seal_id) for p in verify.history_verify()}
    next_seal = Seal.objects.filter(id__gt=seal.id).order_by("id").first()
    assert problems == {(verify.SEAL_ALTERED, seal.id), (verify.CHAIN_BROKEN, next_seal.id)}
    code, output = run_verify_history()
    assert code == 1
    assert f"Seal #{seal.id} of organisation_villageevent does not match the event digests it holds" in output


def test_an_edited_event_digest_in_a_seal_is_reported_with_the_event(edited_village, raw_sql):
    # given an update statement that wrote two events
    other = Village.objects.create(town=edited_village.town, name="北山村", code="371302109205")
    Village.objects.filter(pk__in=[edited_village.pk, other.pk]).update(is_demo=True)
    seal = Seal.objects.order_by("-id").first()
    _first, second = seal.event_ids

    # when someone changes the second event's digest in the seal
    raw_sql(
        "UPDATE history_seal SET event_digests[2] = sha256('forged'::bytea) WHERE id = %s",
        [seal.id],
    )

    # then the event is named, and the seal no longer matches its own digest
    problems = {(p.kind, p.event_id, p.seal_id) for p in verify.history_verify()}
    assert problems == {(verify.EVENT_ALTERED, second, seal.id), (verify.SEAL_ALTERED, None, seal.id)}


def test_an_event_rewritten_together_with_its_digest_in_the_seal_is_reported(edited_village, raw_sql):
    # given
    event = latest_event(edited_village)
    seal = seal_of(event)

    # when someone rewrites the event and puts its new digest into the seal
    raw_sql("UPDATE organisation_villageevent SET name = %s WHERE pgh_id = %s", ["伪造村", event.pgh_id])
    raw_sql(
        "UPDATE history_seal SET event_digests = ARRAY("
        "    SELECT history_event_digest(history_payload(e)) FROM organisation_villageevent e"
        "    WHERE pgh_id = ANY(history_seal.event_ids) ORDER BY pgh_id"
        ") WHERE id = %s",
        [seal.id],
    )

    # then the event matches its digest, but the seal's own digest gives it away
    assert [(p.kind, p.seal_id) for p in verify.history_verify()] == [(verify.SEAL_ALTERED, seal.id)]


def test_an_event_sealed_twice_is_reported(edited_village, raw_sql):
    # given the last seal
    seal = Seal.objects.order_by("-id").first()

    # when someone appends a copy of it, correctly linked to the chain
    raw_sql(
        "INSERT INTO history_seal"
        " (event_table, scheme, event_ids, event_digests, columns, prev_digest, digest, sealed_at)"
        " SELECT event_table, 2, event_ids, event_digests, columns, digest,"
        "        history_statement_digest(digest, event_table, event_digests), now()"
        " FROM history_seal WHERE id = %s",
        [seal.id],
    )

    # then every event of that seal is reported, naming both seals
    copy = Seal.objects.order_by("-id").first()
    problems = verify.history_verify()
    assert [(p.kind, p.event_id, p.seal_id) for p in problems] == [
        (verify.EVENT_SEALED_TWICE, event_id, copy.id) for event_id in seal.event_ids
    ]
    assert f"is sealed more than once, by seals #{seal.id}, #{copy.id}" in problems[0].message


def test_an_event_written_with_the_triggers_off_is_reported(edited_village, raw_sql):
    # when
    raw_sql(
        "INSERT INTO organisation_villageevent"
        " (pgh_created_at, pgh_label, id, name, code, is_key_village, is_demo, pgh_obj_id, town_id)"
        " SELECT now(), 'update', id, '伪造村', code, is_key_village, is_demo, id, town_id"
        " FROM organisation_village WHERE id = %s",
        [edited_village.pk],
    )

    # then
    [problem] = verify.history_verify()
    assert problem.kind == verify.EVENT_UNSEALED
    assert problem.event_id == latest_event(edited_village).pgh_id
    assert run_verify_history()[0] == 1


def test_a_rewritten_and_rechained_history_is_caught_by_the_checkpoint(edited_village, raw_sql):
    # given a signed checkpoint
    checkpoint = history_checkpoint_write()
    event = VillageEvent.objects.filter(pgh_obj_id=edited_village.pk).earliest("pgh_id")

    # when someone rewrites an event and recomputes the whole chain with the SQL functions
    raw_sql("UPDATE organisation_villageevent SET name = %s WHERE pgh_id = %s", ["伪造村", event.pgh_id])
    raw_sql(
        """
        DO $$
        DECLARE
            seal record;
            previous text;
            digests bytea[];
        BEGIN
            FOR seal IN SELECT id, event_table, event_ids FROM history_seal ORDER BY id LOOP
                EXECUTE format(
                    'SELECT array_agg(history_event_digest(history_payload(e)) ORDER BY pgh_id)'
                    ' FROM %I e WHERE pgh_id = ANY($1)',
                    seal.event_table
                ) INTO digests USING seal.event_ids;
                UPDATE history_seal
                SET event_digests = digests, prev_digest = previous,
                    digest = history_statement_digest(previous, seal.event_table, digests)
                WHERE id = seal.id
                RETURNING digest INTO previous;
            END LOOP;
        END
        $$;
        """
    )

    # then the chain itself looks intact, but the signed checkpoint no longer matches it
    problems = verify.history_verify()
    assert [(p.kind, p.checkpoint_id) for p in problems] == [(verify.CHECKPOINT_MISMATCH, checkpoint.id)]
    code, output = run_verify_history()
    assert code == 1
    assert f"no longer has the digest checkpoint #{checkpoint.id} signed" in output


def test_cutting_off_the_end_of_the_history_is_caught_by_the_checkpoint(edited_village, raw_sql):
    # given a checkpoint committed earlier (its foreign key already checked)
    checkpoint = history_checkpoint_write()
    raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
    event = latest_event(edited_village)

    # when the last event and its seal are removed together
    raw_sql("DELETE FROM organisation_villageevent WHERE pgh_id = %s", [event.pgh_id])
    raw_sql("DELETE FROM history_seal WHERE id = %s", [checkpoint.seal_id])

    # then
    assert [p.kind for p in verify.history_verify()] == [verify.CHECKPOINT_MISMATCH]


def test_a_forged_checkpoint_is_reported(edited_village):
    # given
    head = Seal.objects.order_by("-id").first()

    # when someone without the secret key writes a checkpoint
    forged = Checkpoint.objects.create(
        seal=head, digest=head.digest, signature=hmac.new(b"guess", head.digest.encode(), "sha256").hexdigest()
    )

    # then
    code, output = run_verify_history()
    assert code == 1
    assert f"Checkpoint #{forged.id} (seal #{head.id}) has a wrong signature" in output
    assert [p.kind for p in verify.history_verify()] == [verify.CHECKPOINT_FORGED]


def test_checkpoint_signs_seal_id_and_digest_with_a_key_derived_from_the_secret_key(edited_village):
    # when
    checkpoint = history_checkpoint_write()

    # then
    head = Seal.objects.order_by("-id").first()
    key = hashlib.sha256((SIGNING_SALT + settings.SECRET_KEY).encode()).digest()
    assert (checkpoint.seal_id, checkpoint.digest) == (head.id, head.digest)
    assert checkpoint.signature == hmac.new(key, f"{head.id}:{head.digest}".encode(), hashlib.sha256).hexdigest()


def test_checkpoint_is_written_once_per_chain_head(edited_village):
    # given
    first = history_checkpoint_write()

    # when
    again = history_checkpoint_write()
    edited_village.name = "杨家村"
    edited_village.save()
    after_change = write_checkpoint.apply().get()

    # then
    assert again is None
    assert Checkpoint.objects.get(pk=after_change).seal_id > first.seal_id
    assert Checkpoint.objects.count() == 2


def test_checkpoints_are_append_only(edited_village):
    # given
    checkpoint = history_checkpoint_write()

    # when / then
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(digest="0" * 64)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        Checkpoint.objects.filter(pk=checkpoint.pk).delete()
    assert connection.is_usable()


def test_a_column_added_to_a_history_table_later_leaves_old_entries_valid(edited_village, raw_sql):
    # given sealed events, when a later migration adds a column with a default to their table
    raw_sql("ALTER TABLE organisation_villageevent ADD COLUMN population integer NOT NULL DEFAULT 0")
    # then the old entries still verify: their seals cover the columns they had
    assert verify.history_verify() == []


def test_a_sealed_column_dropped_later_is_reported(edited_village, raw_sql):
    raw_sql("ALTER TABLE organisation_villageevent DROP COLUMN is_key_village")
    assert {p.kind for p in verify.history_verify()} == {verify.EVENT_ALTERED}


@pytest.fixture
def legacy_sealed_event(edited_village, raw_sql):
    """An event sealed as before history 0003: its own seal of scheme 1, with the per-event formula."""
    raw_sql(
        "INSERT INTO organisation_villageevent"
        " (pgh_created_at, pgh_label, id, name, code, is_key_village, is_demo, pgh_obj_id, town_id)"
        " SELECT now(), 'update', id, '杨家老庄', code, is_key_village, is_demo, id, town_id"
        " FROM organisation_village WHERE id = %s",
        [edited_village.pk],
    )
    event = latest_event(edited_village)
    raw_sql(
        "INSERT INTO history_seal (event_table, scheme, event_id, columns, prev_digest, digest, sealed_at)"
        " SELECT 'organisation_villageevent', 1, e.pgh_id, ARRAY(SELECT jsonb_object_keys(history_payload(e))),"
        "        head.digest, history_digest(head.digest, 'organisation_villageevent', history_payload(e)), now()"
        " FROM organisation_villageevent e,"
        "      (SELECT digest FROM history_seal ORDER BY id DESC LIMIT 1) head"
        " WHERE e.pgh_id = %s",
        [event.pgh_id],
    )
    return event


def test_a_seal_of_the_old_scheme_still_verifies_and_the_chain_goes_on_from_it(legacy_sealed_event, yangjia):
    # given
    legacy = Seal.objects.get(event_table="organisation_villageevent", event_id=legacy_sealed_event.pgh_id)

    # when the application writes again after it
    yangjia.name = "杨家新庄"
    yangjia.save()

    # then
    assert (legacy.scheme, legacy.event_ids, legacy.event_digests) == (Seal.Scheme.EVENT, None, None)
    assert Seal.objects.get(prev_digest=legacy.digest).scheme == Seal.Scheme.STATEMENT
    assert verify.history_verify() == []
    assert run_verify_history()[0] == 0


def test_an_event_of_the_old_scheme_edited_in_the_database_is_reported(legacy_sealed_event, raw_sql):
    # given
    legacy = Seal.objects.get(event_table="organisation_villageevent", event_id=legacy_sealed_event.pgh_id)

    # when
    raw_sql("UPDATE organisation_villageevent SET name = %s WHERE pgh_id = %s", ["伪造村", legacy_sealed_event.pgh_id])

    # then
    [problem] = verify.history_verify()
    assert (problem.kind, problem.event_id, problem.seal_id) == (
        verify.EVENT_ALTERED,
        legacy_sealed_event.pgh_id,
        legacy.id,
    )
    assert f"organisation_villageevent #{legacy_sealed_event.pgh_id} does not match seal #{legacy.id}" in (
        problem.message
    )


def test_an_event_sealed_by_both_schemes_is_reported(legacy_sealed_event, raw_sql):
    # given the last seal of the application's own writes, before the old-scheme one
    legacy = Seal.objects.get(event_table="organisation_villageevent", event_id=legacy_sealed_event.pgh_id)

    # when someone also seals that event the new way, linked to the chain
    raw_sql(
        "INSERT INTO history_seal"
        " (event_table, scheme, event_ids, event_digests, columns, prev_digest, digest, sealed_at)"
        " SELECT 'organisation_villageevent', 2, ARRAY[e.pgh_id::bigint], digests.value, %(columns)s, %(head)s,"
        "        history_statement_digest(%(head)s, 'organisation_villageevent', digests.value), now()"
        " FROM organisation_villageevent e,"
        "      LATERAL (SELECT ARRAY[history_event_digest(history_payload(e))] AS value) digests"
        " WHERE e.pgh_id = %(event)s",
        {"columns": legacy.columns, "head": legacy.digest, "event": legacy_sealed_event.pgh_id},
    )

    # then
    copy = Seal.objects.order_by("-id").first()
    assert [(p.kind, p.event_id, p.seal_id) for p in verify.history_verify()] == [
        (verify.EVENT_SEALED_TWICE, legacy_sealed_event.pgh_id, copy.id)
    ]


@pytest.mark.parametrize(
    "seal_row",
    [
        "(event_table, scheme, event_ids, event_digests, columns, digest, sealed_at)"
        " VALUES ('x', 1, '{1}', '{}', '{}', '', now())",
        "(event_table, scheme, event_id, event_ids, event_digests, columns, digest, sealed_at)"
        " VALUES ('x', 2, 1, '{1}', ARRAY[sha256('')], '{}', '', now())",
        "(event_table, scheme, event_ids, event_digests, columns, digest, sealed_at)"
        " VALUES ('x', 2, '{1,2}', ARRAY[sha256('')], '{}', '', now())",
        "(event_table, scheme, event_ids, event_digests, columns, digest, sealed_at)"
        " VALUES ('x', 2, '{}', '{}', '{}', '', now())",
    ],
    ids=["old scheme with event ids", "new scheme with event id", "a digest missing", "no event"],
)
def test_the_database_refuses_a_seal_not_shaped_as_its_scheme(db, raw_sql, seal_row):
    # when / then
    with pytest.raises(IntegrityError, match="history_seal_scheme_shape"), transaction.atomic():
        raw_sql(f"INSERT INTO history_seal {seal_row}")
