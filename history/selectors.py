"""Reading the history: which tables hold it, and one object's history as the history tab shows it."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pghistory.models
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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


@dataclass
class ObjectHistory:
    entries: list[HistoryEntry]
    more: int


def object_history(*, obj: models.Model, limit: int = 200) -> ObjectHistory:
    """The object's history, newest first: who, where, and each field's value before and after.

    A few queries whatever the number of events: one per event table (usually one), one for the
    users, one per related model whose value changed, and a count only when there are more.
    """
    rows: list[tuple[Any, Any]] = []  # (event, the previous event of the same object in that table)
    totals = 0
    for event_model in event_models_of(type(obj)):
        # One more than shown, so the oldest event shown still has the one before it to compare with.
        # pghistory adds pgh_obj to each event model it creates; the Event base the type checker sees has none.
        of_obj = event_model.objects.filter(pgh_obj_id=obj.pk)  # type: ignore[misc]
        events = list(of_obj.order_by("-pgh_id")[: limit + 1])
        totals += of_obj.count() if len(events) > limit else len(events)
        rows.extend(zip(events, [*events[1:], None], strict=True))
    rows.sort(key=lambda pair: (pair[0].pgh_created_at, pair[0].pgh_id), reverse=True)
    rows = rows[:limit]

    tracked_fields = _tracked_fields(type(obj))
    changes_by_event = {id(event): _changed_fields(event, previous, tracked_fields) for event, previous in rows}
    related_names = _related_names(changes_by_event.values(), rows)
    users = _users(event for event, _previous in rows)

    entries = []
    for event, _previous in rows:
        who, who_detail, where = _who_and_where(event.pgh_context, users)
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
                        before=_display(model_field, before, related_names),
                        after=_display(model_field, after, related_names),
                    )
                    for model_field, before, after in changes_by_event[id(event)]
                ],
            )
        )
    return ObjectHistory(entries=entries, more=totals - len(entries))


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


def _display(model_field: models.Field, value: Any, related_names: dict) -> str:
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return related_names.get((model_field.related_model, value), f"#{value}")
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.localize(timezone.localtime(value, SHANGHAI))
    return str(formats.localize(value))
