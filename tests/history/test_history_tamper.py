"""Tamper evidence against the database's owner (issue 15 item 6), on the real PostgreSQL: the exact attacks, each run
with ``session_replication_role = replica`` (every trigger off), and what verify_history reports of them."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from history import verify
from history.models import Checkpoint, Seal
from history.services import checkpoint_signature, history_checkpoint_write
from households.models import Household, HouseholdEvent
from tests.factories.households import HouseholdFactory


def run_verify_history(*args) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_history", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@pytest.fixture
def anchors(settings, tmp_path):
    settings.HISTORY_ANCHOR_PATH = tmp_path / "other-volume" / "history-anchors.log"
    return settings.HISTORY_ANCHOR_PATH


@pytest.fixture
def households(village):
    first = HouseholdFactory(village=village, year_identified=2015)
    second = HouseholdFactory(village=village, year_identified=2016)
    Household.objects.filter(pk=first.pk).update(year_identified=2014)
    return first, second


def checkpoint(django_capture_on_commit_callbacks) -> Checkpoint:
    """The hourly job's work: sign the head, and append it to the anchor file once committed."""
    with django_capture_on_commit_callbacks(execute=True):
        written = history_checkpoint_write()
    assert written is not None
    return written


def history_aged(raw_sql, hours: int) -> None:
    """Time passing, for the test: every seal and checkpoint so far was written ``hours`` earlier."""
    raw_sql("UPDATE history_seal SET sealed_at = sealed_at - %s", [timedelta(hours=hours)])
    raw_sql("UPDATE history_checkpoint SET created_at = created_at - %s", [timedelta(hours=hours)])


def seals_recomputed(raw_sql) -> None:
    """The attacker's tool: every seal's event digests and chain recomputed from the events as they are now."""
    previous = None
    for seal in Seal.objects.order_by("id"):
        table = connection.ops.quote_name(seal.event_table)
        raw_sql(
            f"UPDATE history_seal SET prev_digest = %s, event_digests = ARRAY("
            f"SELECT history_event_digest(history_payload(e)) FROM {table} e WHERE e.pgh_id = ANY(event_ids)"
            f" ORDER BY e.pgh_id) WHERE id = %s",
            [previous, seal.id],
        )
        raw_sql(
            "UPDATE history_seal SET digest = history_statement_digest(prev_digest, event_table, event_digests)"
            " WHERE id = %s",
            [seal.id],
        )
        previous = Seal.objects.values_list("digest", flat=True).get(id=seal.id)


def old_event_forged(raw_sql, household) -> HouseholdEvent:
    """The attacker's edit: the household's first history entry says it was identified in 2010."""
    event = HouseholdEvent.objects.filter(pgh_obj_id=household.pk).earliest("pgh_id")
    raw_sql("UPDATE households_householdevent SET year_identified = 2010 WHERE pgh_id = %s", [event.pgh_id])
    return event


def test_a_clean_database_passes_with_checkpoints_anchors_and_hours_of_history(
    households, raw_sql, anchors, django_capture_on_commit_callbacks
):
    # given history three hours old, signed then, and a change since, signed now
    checkpoint(django_capture_on_commit_callbacks)
    history_aged(raw_sql, hours=3)
    Household.objects.filter(pk=households[1].pk).update(year_identified=2017)
    checkpoint(django_capture_on_commit_callbacks)

    # then every check passes and both heads are in the anchor file, one JSON line each
    assert verify.history_check() == []
    assert run_verify_history()[0] == 0
    lines = [json.loads(line) for line in anchors.read_text().splitlines()]
    assert [(line["checkpoint"], line["seal"], line["digest"]) for line in lines] == list(
        Checkpoint.objects.order_by("id").values_list("id", "seal_id", "digest")
    )


def test_a_household_changed_with_the_triggers_off_is_reported_as_drift(households, raw_sql):
    # given
    household = households[0]
    latest = HouseholdEvent.objects.filter(pgh_obj_id=household.pk).latest("pgh_id")

    # when a privileged user changes the household with every trigger off: no history entry is written
    raw_sql("UPDATE households_household SET year_identified = 2019 WHERE id = %s", [household.pk])
    assert HouseholdEvent.objects.filter(pgh_obj_id=household.pk).latest("pgh_id") == latest

    # then the sealed history itself is intact, but the live row differs from its latest entry
    assert verify.history_verify() == []
    [problem] = verify.history_check()
    assert (problem.kind, problem.object_id, problem.event_id) == (verify.ROW_DRIFT, household.pk, latest.pgh_id)
    code, output = run_verify_history()
    assert code == 1
    assert (
        f"households_household #{household.pk} differs from its latest history entry "
        f"households_householdevent #{latest.pgh_id} in year_identified" in output
    )


def test_rows_inserted_or_deleted_with_the_triggers_off_are_reported(households, raw_sql, village):
    # when one household is deleted and another inserted, both with every trigger off
    kept, deleted = households
    raw_sql("DELETE FROM households_household WHERE id = %s", [deleted.pk])
    copy = HouseholdFactory.build(village=village)
    raw_sql(
        "INSERT INTO households_household SELECT (jsonb_populate_record(h, jsonb_build_object('id', %s,"
        " 'file_number', %s::text))).* FROM households_household h WHERE id = %s",
        [kept.pk + 1000, copy.file_number, kept.pk],
    )

    # then
    problems = {(p.kind, p.object_id) for p in verify.history_check()}
    assert problems == {(verify.ROW_DELETED_UNRECORDED, deleted.pk), (verify.ROW_UNRECORDED, kept.pk + 1000)}
    assert run_verify_history()[0] == 1


def test_deleting_the_checkpoints_forging_an_old_event_and_resealing_is_reported(
    households, raw_sql, django_capture_on_commit_callbacks
):
    # given history signed hourly, three hours ago
    checkpoint(django_capture_on_commit_callbacks)
    history_aged(raw_sql, hours=3)
    assert verify.history_check() == []

    # when the attacker deletes the checkpoints, forges an old entry and recomputes every seal after it
    raw_sql("DELETE FROM history_checkpoint")
    old_event_forged(raw_sql, households[0])
    seals_recomputed(raw_sql)

    # then the chain alone holds together (the old verify_history passed), but the seals are signed by no checkpoint
    assert verify.history_verify() == []
    problems = verify.history_check()
    assert [p.kind for p in problems] == [verify.CHECKPOINTS_MISSING]
    assert problems[0].seal_id == Seal.objects.order_by("id").first().id
    code, output = run_verify_history()
    assert code == 1
    assert "are signed by no checkpoint: the checkpoints are missing or stale" in output


def test_a_stale_last_checkpoint_is_reported(households, raw_sql, django_capture_on_commit_callbacks):
    # given a checkpoint, then changes the job never signed: it stopped three hours ago
    checkpoint(django_capture_on_commit_callbacks)
    signed_head = Seal.objects.order_by("-id").first()
    Household.objects.filter(pk=households[1].pk).update(year_identified=2018)
    history_aged(raw_sql, hours=3)

    # then the seals after the checkpoint are reported, from the first unsigned one
    [problem] = verify.history_check()
    assert (problem.kind, problem.checkpoint_id) == (verify.CHECKPOINTS_MISSING, None)
    assert problem.seal_id == Seal.objects.filter(id__gt=signed_head.id).order_by("id").first().id


def test_fewer_checkpoints_than_the_chains_age_needs_are_reported(
    households, raw_sql, django_capture_on_commit_callbacks
):
    # given history of five hours ago and of three hours ago, each signed within the hour
    checkpoint(django_capture_on_commit_callbacks)
    history_aged(raw_sql, hours=2)
    Household.objects.filter(pk=households[1].pk).update(year_identified=2018)
    later = checkpoint(django_capture_on_commit_callbacks)
    history_aged(raw_sql, hours=3)
    assert verify.history_check() == []

    # when the older checkpoint is deleted: the later one signs the older history only two hours late
    raw_sql("DELETE FROM history_checkpoint WHERE id <> %s", [later.id])

    # then
    [problem] = verify.history_check()
    assert (problem.kind, problem.checkpoint_id) == (verify.CHECKPOINTS_MISSING, later.id)
    assert "more than two checkpoint intervals later" in problem.message


def test_a_rewrite_resigned_with_the_key_is_caught_by_the_anchor_file(
    households, raw_sql, anchors, django_capture_on_commit_callbacks
):
    # given history signed and anchored three hours ago
    anchored = checkpoint(django_capture_on_commit_callbacks)
    history_aged(raw_sql, hours=3)

    # when the attacker, with the database superuser AND the key, rewrites an old entry, reseals the chain and
    # writes the checkpoint again, signed, with its old time
    raw_sql("DELETE FROM history_checkpoint")
    old_event_forged(raw_sql, households[0])
    seals_recomputed(raw_sql)
    head = Seal.objects.get(id=anchored.seal_id)
    raw_sql(
        "INSERT INTO history_checkpoint (seal_id, digest, signature, created_at) VALUES (%s, %s, %s, %s)",
        [
            head.id,
            head.digest,
            checkpoint_signature(seal_id=head.id, digest=head.digest),
            anchored.created_at - timedelta(hours=3),
        ],
    )

    # then everything inside the database agrees, but the head anchored outside it does not, and the file never
    # held the checkpoint written in its place
    assert verify.history_verify() == []
    problems = verify.history_check()
    assert [(p.kind, p.seal_id) for p in problems] == [
        (verify.ANCHOR_MISMATCH, head.id),
        (verify.ANCHOR_NOT_WRITTEN, head.id),
    ]
    code, output = run_verify_history()
    assert code == 1
    assert f"Seal #{head.id} no longer has the digest {anchored.digest} anchored in {anchors}" in output


def test_an_anchored_head_the_database_no_longer_has_is_reported(
    households, raw_sql, anchors, django_capture_on_commit_callbacks
):
    # given a signed, anchored head
    anchored = checkpoint(django_capture_on_commit_callbacks)

    # when the newest history is cut off: the head's seal and checkpoint deleted
    raw_sql("DELETE FROM history_checkpoint WHERE id = %s", [anchored.id])
    raw_sql("DELETE FROM history_seal WHERE id = %s", [anchored.seal_id])

    # then
    assert (verify.ANCHOR_MISSING, anchored.seal_id) in {(p.kind, p.seal_id) for p in verify.history_check()}
    assert run_verify_history()[0] == 1


def test_a_checkpoint_the_anchor_file_does_not_hold_is_reported_once_past_the_grace(
    households, raw_sql, anchors, django_capture_on_commit_callbacks
):
    # given a checkpoint anchored, then one whose anchor was never written (the job died after its commit)
    first = checkpoint(django_capture_on_commit_callbacks)
    Household.objects.filter(pk=households[1].pk).update(year_identified=2018)
    unanchored = history_checkpoint_write()
    assert unanchored is not None
    assert unanchored.pk not in {json.loads(line)["checkpoint"] for line in anchors.read_text().splitlines()}

    # then a checkpoint just written may still be on its way to the file
    assert verify.history_check() == []

    # but once older than the grace it is reported, and only it
    history_aged(raw_sql, hours=1)
    problems = verify.history_check()
    assert [(p.kind, p.checkpoint_id) for p in problems] == [(verify.ANCHOR_NOT_WRITTEN, unanchored.pk)]
    assert f"#{unanchored.pk}" in problems[0].message and unanchored.digest in problems[0].message
    assert first.pk < unanchored.pk


def test_lines_cut_from_the_end_of_the_anchor_file_are_reported(
    households, raw_sql, anchors, django_capture_on_commit_callbacks
):
    # given two checkpoints, both anchored
    checkpoint(django_capture_on_commit_callbacks)
    Household.objects.filter(pk=households[1].pk).update(year_identified=2018)
    last = checkpoint(django_capture_on_commit_callbacks)
    history_aged(raw_sql, hours=1)
    assert verify.history_check() == []

    # when the file's last line is cut off
    lines = anchors.read_text().splitlines(keepends=True)
    anchors.write_text("".join(lines[:-1]))

    # then
    assert [(p.kind, p.checkpoint_id) for p in verify.history_check()] == [(verify.ANCHOR_NOT_WRITTEN, last.pk)]
    assert run_verify_history()[0] == 1


def test_checkpoints_signed_before_the_anchor_file_began_are_not_looked_for_in_it(
    households, raw_sql, settings, anchors, django_capture_on_commit_callbacks
):
    # given a checkpoint signed while no anchor file was configured, then anchoring switched on
    settings.HISTORY_ANCHOR_PATH = None
    checkpoint(django_capture_on_commit_callbacks)
    settings.HISTORY_ANCHOR_PATH = anchors
    Household.objects.filter(pk=households[1].pk).update(year_identified=2018)
    checkpoint(django_capture_on_commit_callbacks)
    history_aged(raw_sql, hours=1)

    # then the file is checked from its first checkpoint on
    assert verify.history_check() == []


def test_a_restored_copy_is_judged_by_its_own_time_and_passes_over_newer_anchors(
    households, raw_sql, anchors, django_capture_on_commit_callbacks
):
    # given a copy of five hours ago, taken before the job signed its newest changes, and an anchor file that has
    # moved on since (a head the copy never had)
    checkpoint(django_capture_on_commit_callbacks)
    Household.objects.filter(pk=households[1].pk).update(year_identified=2018)
    history_aged(raw_sql, hours=5)
    newest = Seal.objects.order_by("-id").first()
    with anchors.open("a") as anchor_file:
        anchor_file.write(json.dumps({"checkpoint": 999, "seal": newest.id + 50, "digest": "f" * 64}) + "\n")

    # then, judged as of now, it fails; as a restored copy it passes
    assert {p.kind for p in verify.history_check()} == {verify.CHECKPOINTS_MISSING, verify.ANCHOR_MISSING}
    assert verify.history_check(restored=True) == []
    assert run_verify_history("--restored")[0] == 0

    # but an older anchored head it no longer matches still fails it
    old_event_forged(raw_sql, households[0])
    seals_recomputed(raw_sql)
    assert verify.ANCHOR_MISMATCH in {p.kind for p in verify.history_check(restored=True)}
