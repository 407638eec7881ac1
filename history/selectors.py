"""Reading the history: which tables hold it, and one object's history as the history tab shows it.

A tracked model whose rows are parts of another's (a household's members) names its foreign key to the whole in
``history_of``: the whole's tab shows the parts' events too, each named by its part. A model hides a field's values on
the tab with ``history_masked`` ({field name: function giving the masked text}), e.g. a member's ID number.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pghistory.models
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from history.models import BulkEvent
from history.tracking import FOUND_LABEL


def event_models() -> list[type[pghistory.models.Event]]:
    """Every event table in the project, found from the models themselves (new tracked models join on their own)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy and model._meta.managed
    ]


def event_models_of(model: type[models.Model]) -> list[type[pghistory.models.Event]]:
    """The event tables that record the given model's rows (one for a ``@track_history()`` model)."""
    concrete = model._meta.concrete_model
    return [
        event_model
        for event_model in event_models()
        if event_model.pgh_tracked_model is not None
        and event_model.pgh_tracked_model._meta.concrete_model is concrete
        and any(f.name == "pgh_obj" for f in event_model._meta.fields)
    ]


def part_event_models_of(model: type[models.Model]) -> list[tuple[type[pghistory.models.Event], str]]:
    """The event tables of the models whose ``history_of`` points at ``model``, each with the column holding the
    whole's id."""
    concrete = model._meta.concrete_model
    parts: list[tuple[type[pghistory.models.Event], str]] = []
    for event_model in event_models():
        tracked = event_model.pgh_tracked_model
        link = getattr(tracked, "history_of", None) if tracked is not None else None
        if not link or not any(f.name == "pgh_obj" for f in event_model._meta.fields):
            continue
        foreign_key = tracked._meta.get_field(link)
        if foreign_key.related_model._meta.concrete_model is concrete:
            parts.append((event_model, foreign_key.attname))
    return parts


# The district's local time, whatever the reader's browser says.
SHANGHAI = ZoneInfo("Asia/Shanghai")

ACTIONS = {
    "insert": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "delete": gettext_lazy("deleted"),
}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    event_id: int
    when: datetime
    action: str
    label: str
    who: str
    who_detail: str
    where: str
    changes: list[FieldChange] = field(default_factory=list)
    # The part the event is about ("member 张三"), empty for the object's own events.
    subject: str = ""


@dataclass
class ObjectHistory:
    entries: list[HistoryEntry]
    more: int


def object_history(*, obj: models.Model, limit: int = 200, hidden: Iterable[str] = ()) -> ObjectHistory:
    """The object's history and its parts' (``history_of``), newest first: who, where, and each field's value
    before and after.

    ``hidden`` names fields of the object's own model the reader may not follow (a town reading an allocation whose
    ``allotted`` grows by each town's share): their changes are left out, and a change of nothing else is not shown.

    A few queries whatever the number of events: one per event table (usually one, and one per kind of part), one
    for the users, one per related model whose value changed, and a count only when there are more.
    """
    # (event, the previous event of the same row in that table, the tracked model, whether it is a part)
    rows: list[tuple[Any, Any, type[models.Model], bool]] = []
    totals = 0
    tables = [(event_model, "pgh_obj_id", False) for event_model in event_models_of(type(obj))]
    tables += [(event_model, column, True) for event_model, column in part_event_models_of(type(obj))]
    for event_model, column, is_part in tables:
        tracked_model: type[models.Model] = event_model.pgh_tracked_model  # type: ignore[assignment]
        # One more than shown, so the oldest event shown still has the one before it to compare with.
        of_obj = event_model.objects.filter(**{column: obj.pk})
        events = list(of_obj.order_by("-pgh_id")[: limit + 1])
        truncated = len(events) > limit
        # The values an edit found (history.tracking.FoundUnrecorded) are read as that edit's "before"; they are not
        # entries of the history, so they are not counted as such.
        if truncated:
            totals += of_obj.exclude(pgh_label=FOUND_LABEL).count()
        else:
            totals += sum(event.pgh_label != FOUND_LABEL for event in events)
        by_row: dict[Any, list[Any]] = {}
        event: Any
        for event in events:
            by_row.setdefault(event.pgh_obj_id, []).append(event)
        for row_events in by_row.values():
            previous = [*row_events[1:], None]
            if truncated and is_part and row_events[-1].pgh_label == "update":
                # The window cut this part's history: its oldest event shown needs the one before it.
                oldest = row_events[-1]
                earlier = event_model.objects.filter(pgh_obj_id=oldest.pgh_obj_id, pgh_id__lt=oldest.pgh_id)  # type: ignore[misc]
                previous[-1] = earlier.order_by("-pgh_id").first()
            rows.extend(
                (event, before, tracked_model, is_part) for event, before in zip(row_events, previous, strict=True)
            )
    rows.sort(key=lambda row: (row[0].pgh_created_at, row[0].pgh_id), reverse=True)
    rows = rows[:limit]

    changes_by_event = {
        id(event): _changed_fields(event, previous, _tracked_fields(tracked)) for event, previous, tracked, _p in rows
    }
    rows = [row for row in rows if row[0].pgh_label != FOUND_LABEL]  # each the "before" of an edit, compared above
    related_names = _related_names(changes_by_event.values(), rows)
    users = _users(event for event, *_rest in rows)

    hidden_fields = set(hidden)
    if hidden_fields:
        for event, _previous, _tracked, is_part in rows:
            if not is_part:
                changes = changes_by_event[id(event)]
                changes_by_event[id(event)] = [change for change in changes if change[0].name not in hidden_fields]
        shown = [row for row in rows if row[3] or row[0].pgh_label != "update" or changes_by_event[id(row[0])]]
        totals -= len(rows) - len(shown)
        rows = shown

    entries = []
    for event, _previous, tracked, is_part in rows:
        who, who_detail, where = _who_and_where(event.pgh_context, users)
        masked: dict[str, Callable[[str], str]] = getattr(tracked, "history_masked", {})
        entries.append(
            HistoryEntry(
                event_id=event.pgh_id,
                when=event.pgh_created_at,
                action=event.pgh_label,
                label=str(ACTIONS.get(event.pgh_label, event.pgh_label)),
                who=who,
                who_detail=who_detail,
                where=where,
                changes=[
                    FieldChange(
                        label=str(model_field.verbose_name),
                        before=_display(model_field, before, related_names, masked.get(model_field.name)),
                        after=_display(model_field, after, related_names, masked.get(model_field.name)),
                    )
                    for model_field, before, after in changes_by_event[id(event)]
                ],
                subject=_part_name(event, tracked) if is_part else "",
            )
        )
    bulk = _bulk_entries(obj)
    if bulk:
        entries = sorted([*entries, *bulk], key=lambda entry: entry.when, reverse=True)
        totals += len(bulk)
        entries = entries[:limit]
    return ObjectHistory(entries=entries, more=totals - len(entries))


def _bulk_entries(obj: models.Model) -> list[HistoryEntry]:
    """The object's and its parts' rows written by bulk events (history.bulk): one entry per row, "created by import
    job N, file F, row R" with that row's values as the stored source file holds them.

    One query per table (the object's, each kind of part), through the events' GIN index, then one read of each
    source file.
    """
    from history.bulk import bulk_rows_read  # history.bulk reads the event tables found here

    targets: list[tuple[type[models.Model], list[Any], bool]] = []
    if getattr(type(obj), "history_bulk", False):
        targets.append((type(obj), [obj.pk], False))
    for event_model, column in part_event_models_of(type(obj)):
        tracked: type[models.Model] = event_model.pgh_tracked_model  # type: ignore[assignment]
        if not getattr(tracked, "history_bulk", False):
            continue
        part_ids = list(tracked._base_manager.filter(**{column: obj.pk}).values_list("pk", flat=True))
        if part_ids:
            targets.append((tracked, part_ids, True))
    bulk_table = connection.ops.quote_name(BulkEvent._meta.db_table)
    covered = []  # (bulk event id, model, object id, row, created, is part)
    with connection.cursor() as cursor:
        for model, ids, is_part in targets:
            table = model._meta.db_table
            probes = " OR ".join(["history_bulk_ids(b.covers) @> %s::jsonb"] * len(ids))
            cursor.execute(
                f"""
                SELECT b.pgh_id, c.obj_id::bigint, c.row_no::integer, c.created::boolean
                FROM {bulk_table} b
                CROSS JOIN LATERAL ROWS FROM (
                    jsonb_array_elements_text(b.covers -> %s -> 'ids'),
                    jsonb_array_elements_text(b.covers -> %s -> 'rows'),
                    jsonb_array_elements_text(b.covers -> %s -> 'created')
                ) AS c(obj_id, row_no, created)
                WHERE ({probes}) AND c.obj_id::bigint = ANY(%s)
                """,
                [table, table, table, *(json.dumps({table: {"ids": [pk]}}) for pk in ids), ids],
            )
            covered += [
                (event_id, model, pk, row, created, is_part) for event_id, pk, row, created in cursor.fetchall()
            ]
    if not covered:
        return []
    events = BulkEvent.objects.defer("covers").in_bulk({row[0] for row in covered})
    users = {
        user.pk: user
        for user in get_user_model()._base_manager.filter(pk__in={event.user_id for event in events.values()})
    }
    rows_by_event: dict[int, list[int]] = {}
    for event_id, _model, _pk, row, _created, _part in covered:
        rows_by_event.setdefault(event_id, []).append(row)
    values = {
        event_id: bulk_rows_read(events[event_id], rows)
        for event_id, rows in rows_by_event.items()
        if events[event_id].file_name
    }
    parts = {
        (model, pk): part
        for model, ids, is_part in targets
        if is_part
        for pk, part in model._base_manager.in_bulk(ids).items()
    }
    entries = []
    for event_id, model, pk, row, created, is_part in covered:
        event = events[event_id]
        user = users.get(event.user_id) if event.user_id is not None else None
        words = {"job": event.job_id, "file": event.original_name or event.file_name, "row": row}
        if not event.file_name:
            # A bulk write from no file (the overdue scan's flags): which event, and of what kind.
            label = _("changed by bulk history event #%(event)s (%(kind)s)") % {"event": event_id, "kind": event.kind}
            where, changes = event.kind, []
        else:
            if created:
                label = _("created by import job %(job)s, file %(file)s, row %(row)s") % words
            else:
                label = _("changed by import job %(job)s, file %(file)s, row %(row)s") % words
            where = _("import job %(job)s") % words
            read = values[event_id]
            if read is None:
                changes = [
                    FieldChange(label=_("source file"), before="", after=_("The stored file is missing or changed."))
                ]
            else:
                changes = [
                    FieldChange(label=header, before="", after=value or "—") for header, value in read.get(row, [])
                ]
        part = parts.get((model, pk))
        entries.append(
            HistoryEntry(
                event_id=event_id,
                when=event.pgh_created_at,
                action="insert" if created else "update",
                label=label,
                who=user.get_username() if user else _("system"),
                who_detail=user.get_full_name() if user else "",
                where=where,
                changes=changes,
                subject=f"{model._meta.verbose_name} {part}" if is_part and part is not None else "",
            )
        )
    return entries


def _part_name(event, tracked: type[models.Model]) -> str:
    """The part as it was at the event ("member 张三"): the model's own name for a row built from the event's
    values."""
    values = {f.attname: getattr(event, f.attname) for f in _tracked_fields(tracked) if hasattr(event, f.attname)}
    return f"{tracked._meta.verbose_name} {tracked(**values)}"


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _changed_fields(event, previous, tracked_fields) -> list[tuple[models.Field, Any, Any]]:
    """Update: each field that differs from the previous event. Insert: each value it was created with."""
    if event.pgh_label == "insert":
        previous = None
    elif event.pgh_label != "update" or previous is None:
        return []
    changes = []
    for model_field in tracked_fields:
        if not hasattr(event, model_field.attname):
            continue  # not recorded by this event table
        before = getattr(previous, model_field.attname, None) if previous else None
        after = getattr(event, model_field.attname)
        if before != after:
            changes.append((model_field, before, after))
    return changes


def _related_names(all_changes, rows) -> dict[tuple[type[models.Model], Any], str]:
    wanted: dict[type[models.Model], set] = {}
    for changes in all_changes:
        for model_field, before, after in changes:
            if model_field.is_relation:
                wanted.setdefault(model_field.related_model, set()).update(v for v in (before, after) if v is not None)
    names = {}
    for related_model, pks in wanted.items():
        for pk, related in related_model._base_manager.in_bulk(pks).items():
            names[(related_model, pk)] = str(related)
    return names


def _users(events) -> dict[str, Any]:
    user_ids = {str(event.pgh_context["user"]) for event in events if (event.pgh_context or {}).get("user")}
    if not user_ids:
        return {}
    return {str(user.pk): user for user in get_user_model()._base_manager.filter(pk__in=user_ids)}


def _who_and_where(context: dict | None, users: dict[str, Any]) -> tuple[str, str, str]:
    if context is None:
        # No application context at all: written by SQL straight into the database.
        return _("database"), "", ""
    where = context.get("url") or context.get("task") or context.get("command") or ""
    if user_id := context.get("user"):
        user = users.get(str(user_id))
        if user is None:
            return _("user #%(id)s") % {"id": user_id}, "", where
        return user.get_username(), user.get_full_name(), where
    if task := context.get("task"):
        return task, _("background task"), _("task %(id)s") % {"id": context.get("task_id", "")}
    return _("system"), "", where


def _display(
    model_field: models.Field, value: Any, related_names: dict, mask: Callable[[str], str] | None = None
) -> str:
    if value is None or value == "":
        return "—"
    if mask is not None:
        return mask(str(value))
    if model_field.is_relation:
        return related_names.get((model_field.related_model, value), f"#{value}")
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.localize(timezone.localtime(value, SHANGHAI))
    return str(formats.localize(value))
