"""View mixins that make scope and role checks impossible to forget.

Every view that shows or changes records derives from :class:`ScopedMixin` and names the app's
scope function; every other view says so with ``record_free = True``. ``tests/test_url_guard.py``
walks the URL configuration and fails for a view that does neither.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from organisation.roles import Role
from organisation.scoping import Access, may_act


class ScopedMixin(LoginRequiredMixin):
    """Querysets come from the app's one scope function; an object outside it is a 404."""

    scope = None  # callable(user, access) -> QuerySet
    access = Access.VIEW

    def get_queryset(self):
        if self.scope is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must name its app's scope function.")
        return type(self).scope(self.request.user, self.access)


class RoleRequiredMixin(LoginRequiredMixin):
    """Only the listed roles (and superusers) get past ``dispatch``."""

    allowed_roles: frozenset[Role] = frozenset()

    @classmethod
    def may_open(cls, user) -> bool:
        """Whether ``user`` gets past ``dispatch``: the menus show a link only to those who do."""
        return may_act(user, cls.allowed_roles)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_act(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
