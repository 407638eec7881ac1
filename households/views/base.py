"""What every household page shares: its records come from ``households_scope``."""

from django.urls import reverse

from households.permissions import households_scope
from organisation.access import ScopedMixin
from organisation.scoping import Access

PAGE_SIZE = 25


class HouseholdScopedMixin(ScopedMixin):
    """Set ``model`` (any model ``households_scope`` knows: those of its VILLAGE_PATH, import jobs, quality runs and
    cadres) and, for edits, ``access``."""

    model = None
    access = Access.VIEW

    def get_queryset(self):
        return households_scope(self.request.user, self.access, self.model._default_manager.all())

    # ScopedMixin's check that a scope is named: this mixin is the scope.
    scope = staticmethod(households_scope)


def household_tab_url(household_id: int, key: str) -> str:
    """The household page opened on one tab (``HouseholdDetailView``'s ``?tab=``), where a form on it returns."""
    return f"{reverse('households:household_detail', args=[household_id])}?tab={key}#tab-{key}"
