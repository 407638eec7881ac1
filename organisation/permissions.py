"""Who does what with the organisation app's own records. Reach (who sees which towns and villages) is
``organisation.scoping``; the shared district-level role sets are in ``organisation.roles``."""

from django.db.models import QuerySet

from organisation.actors import Actor
from organisation.roles import Role
from organisation.scoping import Access

# The working-day calendar belongs to the whole district: the district office keeps it.
CALENDAR_KEEPERS = frozenset({Role.DISTRICT_OFFICE})


def exports_scope(user: Actor, access: Access = Access.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The list exports ``user`` may see: an export holds what its owner's scope showed when it ran, so it is its
    owner's alone (anyone else gets a 404 on its page, its progress and its file)."""
    from organisation.models import ExportJob

    queryset = ExportJob.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(owner_id=user.pk)
