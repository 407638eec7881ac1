"""Sending notifications: one call per batch, whatever the number of notices and recipients.

A notice is written in the site's language (``settings.LANGUAGE_CODE``) when it is sent, like a
letter: the recipient reads the words the office sent. The same text goes out by e-mail, through
Django's e-mail backend, to every recipient with an address, once the transaction that sent it has
committed; a failing mail server is logged and never undoes the notices.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification
from organisation.models import StaffPost
from organisation.roles import Role

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# A grouped notice lists its first records; its link leads to all of them.
GROUP_LINES = 20
R = TypeVar("R")  # a record a grouped notice is about


@dataclass(frozen=True)
class Notice:
    key: str
    subject: str
    body: str
    url: str
    recipient_ids: frozenset[int]


def staff_of(*, roles: Iterable[Role], town_ids: Iterable[int] | None = None) -> dict[int | None, set[int]]:
    """Active users holding one of ``roles``, by town (``None`` for district-level posts): one query.

    With ``town_ids`` only the posts in those towns and the district-level posts are read.
    """
    posts = StaffPost.objects.filter(role__in=list(roles), user__is_active=True)
    if town_ids is not None:
        posts = posts.filter(Q(town_id__in=list(town_ids)) | Q(town__isnull=True))
    by_town: dict[int | None, set[int]] = {}
    for town_id, user_id in posts.values_list("town_id", "user_id"):
        by_town.setdefault(town_id, set()).add(user_id)
    return by_town


def notices_grouped(
    records: Sequence[R],
    *,
    recipients: Callable[[R], Iterable[int]],
    single: Callable[[R, frozenset[int]], Notice],
    grouped: Callable[[list[R], frozenset[int]], Notice],
) -> list[Notice]:
    """The notices of one kind for what one run found: one per person, never one per record.

    Each person gets one notice on all the ``records`` that concern them (``recipients`` of a record): a single
    record keeps its own notice (``single``, linked to the record); several become one notice (``grouped``: the
    count and a link to the filtered list, keyed by ``notice_group_key``). People concerned by the same records
    share the notice. A run flags each record once, so a second run finds nothing and sends nothing.
    """
    by_user: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        for user_id in recipients(record):
            by_user.setdefault(user_id, []).append(index)
    groups: dict[tuple[int, ...], set[int]] = {}
    for user_id, indexes in by_user.items():
        groups.setdefault(tuple(indexes), set()).add(user_id)
    return [
        single(records[indexes[0]], frozenset(users))
        if len(indexes) == 1
        else grouped([records[index] for index in indexes], frozenset(users))
        for indexes, users in groups.items()
    ]


def notice_group_key(kind: str, record_ids: Iterable[object]) -> str:
    """The key of a grouped notice: its kind, its count and a digest of its records, so the same group is sent once
    (the key fits ``Notification.key`` whatever the number of records)."""
    ids = sorted(str(record_id) for record_id in record_ids)
    digest = hashlib.sha256(",".join(ids).encode()).hexdigest()[:32]
    return f"{kind}:{len(ids)}:{digest}"


def notice_group(
    *,
    kind: str,
    subject: Callable[[int], str],
    intro: str,
    line: Callable[[R], str],
    url: Callable[[list[R]], str],
    record: Callable[[R], object],
) -> Callable[[list[R], frozenset[int]], Notice]:
    """The ``grouped`` of ``notices_grouped`` most kinds need: ``subject(count)`` filled with the count, ``intro``
    and a ``line`` per record (the first ``GROUP_LINES``), ``url(records)`` (the filtered list), keyed by the kind
    and each ``record(…)``."""
    more = _("… and %(count)s more: see the list.")

    def notice(records: list[R], recipients: frozenset[int]) -> Notice:
        lines = [intro, *(line(each) for each in records[:GROUP_LINES])]
        if len(records) > GROUP_LINES:
            lines.append(more % {"count": len(records) - GROUP_LINES})
        return Notice(
            key=notice_group_key(kind, [record(each) for each in records]),
            subject=subject(len(records)) % {"count": len(records)},
            body="\n".join(lines),
            url=url(records),
            recipient_ids=recipients,
        )

    return notice


def notices_send(notices: list[Notice]) -> int:
    """Write every notice for each of its recipients (skipping any already sent under its key) and mail them.

    Returns the number of notifications written.
    """
    rows = [
        Notification(recipient_id=user_id, key=notice.key, subject=notice.subject, body=notice.body, url=notice.url)
        for notice in notices
        for user_id in sorted(notice.recipient_ids)
    ]
    if not rows:
        return 0
    now = timezone.now()
    for row in rows:
        row.created_at = now
    existing = set(Notification.objects.filter(key__in={row.key for row in rows}).values_list("recipient_id", "key"))
    rows = [row for row in rows if (row.recipient_id, row.key) not in existing]
    # ignore_conflicts: a notice written by a concurrent run between the read above and this insert is skipped.
    Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    if rows:
        transaction.on_commit(lambda: _mail(rows))
    return len(rows)


def _mail(rows: list[Notification]) -> None:
    addresses = dict(
        get_user_model()
        .objects.filter(pk__in={row.recipient_id for row in rows})
        .exclude(email="")
        .values_list("pk", "email")
    )
    messages = [
        EmailMessage(
            subject=row.subject,
            body=_mail_body(row),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[addresses[row.recipient_id]],
        )
        for row in rows
        if row.recipient_id in addresses
    ]
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except OSError:
        logger.exception("Sending %d notification e-mails failed; the notices are in the app.", len(messages))


def _mail_body(row: Notification) -> str:
    link = f"\n\n{settings.SITE_URL.rstrip('/')}{row.url}" if row.url else ""
    return f"{row.body}{link}"


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (every unread one for ``None``); the number marked."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
