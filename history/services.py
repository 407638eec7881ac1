"""Checkpoints: the chain head signed with a key derived from SECRET_KEY, and anchored outside the database.

Someone with raw database access can recompute the whole chain with ``history_digest``; without
the application's secret they cannot recompute a checkpoint's signature. With the secret too they
could, so each checkpoint's head is also appended to a file on another volume (``HISTORY_ANCHOR_PATH``)
that verify_history checks the database against: what is anchored cannot be rewritten from the database.
"""

import hmac
import json
import os

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from history.models import Checkpoint, Seal

SIGNING_SALT = "lanshan.history.checkpoint"


def checkpoint_signature(*, seal_id: int, digest: str, secret: str | None = None) -> str:
    """HMAC-SHA256 of ``"seal_id:digest"`` keyed with a key derived from the secret."""
    return salted_hmac(SIGNING_SALT, f"{seal_id}:{digest}", secret=secret, algorithm="sha256").hexdigest()


def checkpoint_signature_is_valid(*, seal_id: int, digest: str, signature: str) -> bool:
    # Checkpoints signed before a key rotation stay valid while the old key is a fallback.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        hmac.compare_digest(checkpoint_signature(seal_id=seal_id, digest=digest, secret=secret), signature)
        for secret in secrets
    )


def history_checkpoint_write() -> Checkpoint | None:
    """Sign the current chain head; nothing to do when the chain is empty or its head is signed already."""
    head = Seal.objects.order_by("-id").only("id", "digest").first()
    if head is None or Checkpoint.objects.filter(seal=head).exists():
        return None
    try:
        # One checkpoint per seal (a unique column): a concurrent writer that got there first wins.
        with transaction.atomic():
            checkpoint = Checkpoint.objects.create(
                seal=head,
                digest=head.digest,
                signature=checkpoint_signature(seal_id=head.id, digest=head.digest),
            )
    except IntegrityError:
        return None
    # Anchored once committed (at once outside a transaction): never a head the database rolled back.
    transaction.on_commit(lambda: history_anchor_append(checkpoint))
    return checkpoint


def history_anchor_append(checkpoint: Checkpoint) -> None:
    """Append the checkpoint's head to the anchor file: one JSON line, opened for appending only, synced to disk.

    An error (disk full, no permission) propagates: the checkpoint task fails visibly rather than leave a head
    unanchored in silence.
    """
    path = settings.HISTORY_ANCHOR_PATH
    if path is None:
        return
    line = json.dumps(
        {
            "checkpoint": checkpoint.pk,
            "seal": checkpoint.seal_id,
            "digest": checkpoint.digest,
            "signature": checkpoint.signature,
            "created_at": checkpoint.created_at.isoformat(),
        },
        sort_keys=True,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        # One write of the whole line: appends of concurrent writers never interleave within a line.
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
