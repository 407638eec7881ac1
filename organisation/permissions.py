"""Who does what with the organisation app's own records. Reach (who sees which towns and villages) is
``organisation.scoping``; the shared district-level role sets are in ``organisation.roles``."""

from organisation.roles import Role

# The working-day calendar belongs to the whole district: the district office keeps it.
CALENDAR_KEEPERS = frozenset({Role.DISTRICT_OFFICE})
