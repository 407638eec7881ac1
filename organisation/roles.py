"""The roles of the work plan, and how far each one reaches.

A role says *what kind of work* a person does; where they may do it is the town or village their
post is in (object permissions granted on that Town or Village, see ``organisation.services``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("District poverty-alleviation office")
    DISTRICT_FINANCE = "district_finance", _("District finance bureau")
    AUDIT = "audit", _("Audit bureau / discipline inspection commission")
    TOWN_STAFF = "town_staff", _("Town staff")
    TOWN_FINANCE = "town_finance", _("Town finance office")
    TOWN_STATION = "town_station", _("Town economic management station")
    VILLAGE_CLERK = "village_clerk", _("Village clerk")


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


LEVEL_OF_ROLE = {
    Role.DISTRICT_OFFICE: Level.DISTRICT,
    Role.DISTRICT_FINANCE: Level.DISTRICT,
    Role.AUDIT: Level.DISTRICT,
    Role.TOWN_STAFF: Level.TOWN,
    Role.TOWN_FINANCE: Level.TOWN,
    Role.TOWN_STATION: Level.TOWN,
    Role.VILLAGE_CLERK: Level.VILLAGE,
}

# District-level roles read every town's records. Whether they may also change a given kind of
# record is each domain's decision (``district_writers`` in organisation.scoping.restrict); by
# default only the district office does. The audit bureau reads everything and writes audits only.
DISTRICT_READERS = frozenset({Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.AUDIT})
DEFAULT_DISTRICT_WRITERS = frozenset({Role.DISTRICT_OFFICE})

ALL_ACTIONS = ("view", "add", "change", "delete")

# Model permissions per role, for the admin site: (app label, model names, actions). The district
# office keeps the reference data; what the roles do in the domain pages is decided by each domain.
ROLE_MODEL_PERMISSIONS = {
    Role.DISTRICT_OFFICE: [
        ("organisation", ["town", "village", "calendarday", "calendaryear"], ALL_ACTIONS),
        ("organisation", ["district", "staffpost"], ("view",)),
        ("django_celery_beat", ["periodictask", "crontabschedule", "intervalschedule"], ALL_ACTIONS),
        ("history", ["seal", "checkpoint"], ("view",)),
        ("households", ["povertyline", "dibaostandard", "insurancescheme"], ALL_ACTIONS),
        ("households", ["idnumberreveal"], ("view",)),
    ],
}
