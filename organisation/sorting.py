"""Sortable list columns, one kit for every list: ``?sort=<key>`` or ``?sort=-<key>`` (descending).

A list declares its columns (``SortColumn``: a key and the fields it orders by) and reads the request's choice with
``Sorting``; an unknown key is ignored (the list keeps its own order), never an error. The header links come from
``{% sort_header sorting "key" "label" %}`` (organisation.templatetags.sorting), which keep the list's filters and go
back to page 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

SORT_PARAM = "sort"


@dataclass(frozen=True)
class SortColumn:
    key: str
    # The fields the column orders by, ascending ("-due_date": a column of days overdue, which grow as the due date
    # goes back); the list's primary key breaks ties so pages never overlap.
    fields: tuple[str, ...]


class Sorting:
    def __init__(self, columns: Sequence[SortColumn], params: Mapping[str, str]):
        self.columns = {column.key: column for column in columns}
        value = str(params.get(SORT_PARAM, "") or "")
        self.descending = value.startswith("-")
        self.key = value.lstrip("-") if value.lstrip("-") in self.columns else ""

    def apply(self, queryset: QuerySet, *, through: str = "", renamed: Mapping[str, str] | None = None) -> QuerySet:
        """``queryset`` in the chosen column's order, or unchanged when none was chosen. ``through``: the path from
        the queryset's records to the list's (``"household__"``: members in their households' order, then their
        own); ``renamed``: a list's annotation the queryset carries under another name."""
        if not self.key:
            return queryset
        fields = [_through(field, through, renamed or {}) for field in (*self.columns[self.key].fields, "pk")]
        ordering = [_flipped(field) if self.descending else field for field in fields]
        return queryset.order_by(*ordering, *(["pk"] if through else []))

    def state(self, key: str) -> str:
        """ "asc", "desc" or "" for the column ``key``."""
        if key != self.key:
            return ""
        return "desc" if self.descending else "asc"

    def next_value(self, key: str) -> str:
        """The ``sort`` value the column's header link asks for: ascending first, then the other way."""
        return f"-{key}" if self.state(key) == "asc" else key


def _through(field: str, through: str, renamed: Mapping[str, str]) -> str:
    sign, name = ("-", field[1:]) if field.startswith("-") else ("", field)
    return f"{sign}{renamed[name]}" if name in renamed else f"{sign}{through}{name}"


def _flipped(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def list_sorting(view_class, params: Mapping[str, str]) -> Sorting:
    """The sorting the list page ``view_class`` (a ``SortableListMixin`` view) applies for the query string
    ``params``: the page's own columns (a view may choose them by its query string, e.g. its tab), for an export
    that keeps the list's query string and must show its rows in the page's order."""
    request = HttpRequest()
    request.GET = QueryDict(mutable=True)
    for key, value in params.items():
        request.GET[key] = value
    view = view_class()
    view.request = request
    return view.sorting


class SortableListMixin:
    """A ``ListView`` whose ``sort_columns`` the user may sort by; the template gets ``sorting`` for its headers.
    A view that writes its own ``get_queryset`` returns ``self.sorting.apply(...)`` of its rows."""

    sort_columns: Sequence[SortColumn] = ()

    @cached_property
    def sorting(self) -> Sorting:
        return Sorting(self.sort_columns, self.request.GET)

    def get_queryset(self):
        return self.sorting.apply(super().get_queryset())

    def get_context_data(self, **kwargs):
        return super().get_context_data(sorting=self.sorting, **kwargs)
