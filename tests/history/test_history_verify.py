import hashlib
import hmac
from io import StringIO
from itertools import pairwise

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

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
    return Seal.objects.get(event_table="organisation_villageevent", event_id=event.pgh_id)


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
    assert {seal.event_id for seal in seals if seal.event_table == "organisation_villageevent"} >= {
        event.pgh_id for event in events
    }
    assert seals[0].prev_digest is None
    for previous, seal in pairwise(seals):
        assert seal.prev_digest == previous.digest


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
    kinds = {p.kind for p in verify.history_verify()}
    assert kinds == {verify.EVENT_ALTERED, verify.CHAIN_BROKEN}


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

    # when someone rewrites an event and recomputes the whole chain with the SQL function
    raw_sql("UPDATE organisation_villageevent SET name = %s WHERE pgh_id = %s", ["伪造村", event.pgh_id])
    raw_sql(
        """
        DO $$
        DECLARE
            seal record;
            previous text;
            next_digest text;
        BEGIN
            FOR seal IN SELECT id, event_table, event_id FROM history_seal ORDER BY id LOOP
                EXECUTE format('SELECT history_digest($1, %L, history_payload(e)) FROM %I e WHERE pgh_id = $2',
                               seal.event_table, seal.event_table)
                    INTO next_digest USING previous, seal.event_id;
                UPDATE history_seal SET prev_digest = previous, digest = next_digest WHERE id = seal.id;
                previous := next_digest;
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
