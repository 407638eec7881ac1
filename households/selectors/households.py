"""Reads of the household file: the list of households a user may see, searched and filtered."""

from django.db.models import Count, Prefetch, Q, QuerySet

from households.choices import Relation
from households.models import Household, Member
from households.permissions import households_scope
from organisation.actors import Actor


def household_list(
    *, user: Actor, query: str = "", town_id: int | None = None, village_id: int | None = None, status: str = ""
) -> QuerySet[Household]:
    """The households the user may see matching the search (file number, head's name or full ID number) and the
    filters, by file number: the list page's households and what its export writes."""
    households = households_scope(user).select_related("village__town")
    if query:
        households = households.filter(
            Q(file_number__icontains=query)
            | Q(members__name__icontains=query, members__relation=Relation.HEAD)
            | Q(members__id_number=query.upper())
        ).distinct()
    if town_id is not None:
        households = households.filter(village__town_id=town_id)
    if village_id is not None:
        households = households.filter(village_id=village_id)
    if status:
        households = households.filter(status=status)
    return households.order_by("file_number")


def household_list_rows(*, user: Actor, **filters) -> QuerySet[Household]:
    """The list page's rows (``household_list``), each with its member count and its head (``heads``)."""
    heads = Member.objects.filter(relation=Relation.HEAD)
    return (
        household_list(user=user, **filters)
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related(Prefetch("members", queryset=heads, to_attr="heads"))
    )
