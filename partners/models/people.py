"""Point 15: first secretaries (第一书记) and their village work teams (驻村工作队); point 18: the responsibility
rules (《兰山区脱贫攻坚责任制实施细则》), who holds which responsibility, and the training sessions."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from history.tracking import track_history
from households.models import Cadre
from organisation.models import Town, Village
from partners.choices import ResponsibilityLevel, TrainingLevel, TrainingTopic
from partners.models.sectors import Department
from partners.rules import phone_mask


class ServingDays(Func):
    """The days a first secretary serves, both ends included; an open end serves on."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self):
        super().__init__("starts_on", "ends_on", models.Value("[]"))


@track_history()
class FirstSecretary(models.Model):
    """第一书记 of a poor village, sent from a unit, heading the village's work team for a time."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    unit = models.CharField(_("work unit"), max_length=100)
    post = models.CharField(_("post"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    # The contact is private: the history tab shows it masked as the pages do.
    history_masked = {"phone": phone_mask}

    class Meta:
        verbose_name = _("first secretary")
        verbose_name_plural = _("first secretaries")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="partners_secretary_ends_after_start",
            ),
            # At most one serving first secretary per village on any day, held by the database whatever writes.
            ExclusionConstraint(
                name="partners_secretary_one_per_village",
                expressions=[("village", RangeOperators.EQUAL), (ServingDays(), RangeOperators.OVERLAPS)],
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.village}）"

    def get_absolute_url(self) -> str:
        return reverse("partners:secretary_detail", args=[self.pk])


@track_history()
class WorkTeamMember(models.Model):
    """A member of the village work team a first secretary leads."""

    secretary = models.ForeignKey(
        FirstSecretary, on_delete=models.CASCADE, related_name="team", verbose_name=_("first secretary")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    unit = models.CharField(_("work unit"), max_length=100)
    post = models.CharField(_("post"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    # The contact is private: the history tab shows it masked as the pages do.
    history_masked = {"phone": phone_mask}

    class Meta:
        verbose_name = _("work team member")
        verbose_name_plural = _("work team members")
        ordering = ["secretary", "pk"]

    def __str__(self):
        return self.name


@track_history()
class ResponsibilityRules(models.Model):
    """《兰山区脱贫攻坚责任制实施细则》: its text, or its uploaded document, as issued."""

    title = models.CharField(_("title"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    text = models.TextField(_("text"), blank=True)
    document = models.FileField(_("document"), upload_to="partners/rules/%Y/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("responsibility rules")
        verbose_name_plural = _("responsibility rules")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text="") | ~Q(document=""), name="partners_rules_text_or_document"),
        ]

    def __str__(self):
        return self.title


@track_history()
class Responsibility(models.Model):
    """Who holds which responsibility under the rules: at district, town or village level, a cadre's, or a
    department's."""

    level = models.CharField(_("level"), max_length=20, choices=ResponsibilityLevel.choices)
    holder = models.CharField(_("holder"), max_length=100)
    duty = models.TextField(_("duty"))
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("town")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("assistance cadre")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector department"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["level", "town", "village", "pk"]
        constraints = [
            models.CheckConstraint(
                name="partners_responsibility_matches_level",
                condition=(
                    Q(
                        level=ResponsibilityLevel.DISTRICT,
                        town__isnull=True,
                        village__isnull=True,
                        cadre__isnull=True,
                        department__isnull=True,
                    )
                    | Q(
                        level=ResponsibilityLevel.TOWN,
                        town__isnull=False,
                        village__isnull=True,
                        cadre__isnull=True,
                        department__isnull=True,
                    )
                    | Q(
                        level=ResponsibilityLevel.VILLAGE,
                        town__isnull=False,
                        village__isnull=False,
                        cadre__isnull=True,
                        department__isnull=True,
                    )
                    | Q(level=ResponsibilityLevel.CADRE, cadre__isnull=False, department__isnull=True)
                    | Q(
                        level=ResponsibilityLevel.DEPARTMENT,
                        town__isnull=True,
                        village__isnull=True,
                        cadre__isnull=True,
                        department__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self):
        return f"{self.holder}: {self.duty[:30]}"


@track_history()
class TrainingSession(models.Model):
    """A training of point 18, held by the district or by a town, on one of the five topics."""

    level = models.CharField(_("level"), max_length=20, choices=TrainingLevel.choices)
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("town")
    )
    topic = models.CharField(_("topic"), max_length=20, choices=TrainingTopic.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="partners_training_town_matches_level",
                condition=Q(level=TrainingLevel.DISTRICT, town__isnull=True)
                | Q(level=TrainingLevel.TOWN, town__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partners:training_detail", args=[self.pk])


@track_history()
class TrainingAttendance(models.Model):
    """One person invited to a session, from the staff (a user with a post) or the assistance cadres, and whether
    they attended."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("training session")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff"),
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("assistance cadre")
    )
    attended = models.BooleanField(_("attended"), default=True)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        ordering = ["session", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False, cadre__isnull=True) | Q(staff__isnull=True, cadre__isnull=False),
                name="partners_attendance_one_person",
            ),
            models.UniqueConstraint(fields=["session", "staff"], name="partners_attendance_staff_once"),
            models.UniqueConstraint(fields=["session", "cadre"], name="partners_attendance_cadre_once"),
        ]

    def __str__(self):
        return f"{self.session}: {self.staff or self.cadre}"
