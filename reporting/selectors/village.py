"""The village page: what a village holds in each domain (its households, the transfers to it, its projects, its
ledger items and its open data-quality problems), each as a count, the latest few and the link to the filtered list.

Each block reads through its app's own list selector, scoped to the user, so the page shows no more than the lists
it links to; a block costs two queries (the count and the latest rows) whatever the village's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from audits.selectors.ledger import item_list
from funds.selectors.chain import transfer_list
from households.selectors.households import household_list
from households.selectors.quality import quality_problem_list
from organisation.actors import Actor
from organisation.models import Village
from projects.selectors.projects import project_list

LATEST = 5


@dataclass(frozen=True)
class VillageBlock:
    key: str
    title: str
    count: int
    latest: list
    # The list behind the count: its URL name (the page shows the link only to a user who may open it) and filters.
    url_name: str
    query: str


def _block(
    key: str, title, rows: QuerySet, newest_first: tuple[str, ...], url_name: str, params: dict
) -> VillageBlock:
    return VillageBlock(
        key=key,
        title=str(title),
        count=rows.order_by().count(),
        latest=list(rows.order_by(*newest_first)[:LATEST]),
        url_name=url_name,
        query=urlencode(params),
    )


def village_overview(*, user: Actor, village: Village) -> list[VillageBlock]:
    """The village's blocks, as ``user`` may see them (a village in the user's reach: the view loads it in scope)."""
    town = village.town
    return [
        _block(
            "households",
            _("Households"),
            household_list(user=user, village_id=village.pk),
            ("-pk",),
            "households:household_list",
            {"village": village.pk},
        ),
        _block(
            "transfers",
            _("Transfers to the village"),
            transfer_list(user=user, town=town, village=village),
            ("-clock_start", "-pk"),
            "funds:transfer_list",
            {"town": town.pk, "village": village.pk},
        ),
        _block(
            "projects",
            _("Industry projects"),
            project_list(user=user, village=village),
            ("-pk",),
            "projects:project_list",
            {"town": town.pk, "village": village.pk},
        ),
        _block(
            "ledger",
            _("Rectification ledger items"),
            item_list(user=user, village=village),
            ("-year", "-sequence"),
            "audits:item_list",
            {"town": town.pk, "village": village.pk},
        ),
        _block(
            "problems",
            _("Open data-quality problems"),
            quality_problem_list(user=user, village=village),
            ("-first_found_at", "-pk"),
            "households:quality_problems",
            {"town": town.pk, "village": village.pk},
        ),
    ]
