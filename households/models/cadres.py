"""Assistance cadres (point 13): each household has one, a cadre helps at most five."""

import datetime as dt

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from history.tracking import track_history
from households.models.household import Household

CADRE_HOUSEHOLD_LIMIT = 5
# Point 13: "帮扶期限到 2020 年".
DEFAULT_TERM_END = dt.date(2020, 12, 31)


@track_history()
class Cadre(models.Model):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    work_unit = models.CharField(_("work unit"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
        verbose_name=_("user account"),
    )

    class Meta:
        verbose_name = _("assistance cadre")
        verbose_name_plural = _("assistance cadres")
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name}（{self.work_unit}）"


# The database holds the limit, so two people assigning the same cadre at the same moment cannot
# both succeed: the trigger locks the cadre's row, then counts. SQLSTATE 23514 (check_violation)
# with the constraint name lets the service turn it into a message naming the cadre's households.
CADRE_LIMIT_FUNC = f"""
    IF NEW.released_on IS NULL THEN
        PERFORM 1 FROM households_cadre WHERE id = NEW.cadre_id FOR UPDATE;
        IF (SELECT count(*) FROM households_cadreassignment
            WHERE cadre_id = NEW.cadre_id AND released_on IS NULL AND id <> NEW.id) >= {CADRE_HOUSEHOLD_LIMIT} THEN
            RAISE EXCEPTION 'cadre % already helps {CADRE_HOUSEHOLD_LIMIT} households', NEW.cadre_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'cadre_household_limit';
        END IF;
    END IF;
    RETURN NEW;
"""


@track_history()
class CadreAssignment(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="cadre_assignments", verbose_name=_("household")
    )
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("cadre"))
    starts_on = models.DateField(_("from"))
    term_ends_on = models.DateField(_("term ends on"), default=DEFAULT_TERM_END)
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        verbose_name = _("cadre assignment")
        verbose_name_plural = _("cadre assignments")
        ordering = ["household", "-starts_on"]
        constraints = [
            # One responsible cadre per household at a time.
            models.UniqueConstraint(
                fields=["household"], condition=Q(released_on__isnull=True), name="cadre_assignment_one_current"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="cadre_household_limit",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=CADRE_LIMIT_FUNC,
            ),
        ]

    def __str__(self):
        return f"{self.cadre} → {self.household}"
