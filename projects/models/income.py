"""Income, the 6% floor and rectification plans (point 4)."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from history.tracking import track_history
from households.models import Household
from organisation.models import Village
from organisation.money import MONEY
from projects.models.project import IndustryProject


@track_history()
class IncomeRecord(models.Model):
    """Income the operator paid for a project: amount, the period it is for, the day it was received."""

    project = models.ForeignKey(IndustryProject, on_delete=models.PROTECT, related_name="income_records")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    received_on = models.DateField(_("received on"))
    payer = models.CharField(_("paid by"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        ordering = ["project", "-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="income_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="income_period_ordered", condition=Q(period_end__gte=F("period_start"))),
        ]
        indexes = [models.Index(fields=["project", "received_on"], name="income_project_received")]

    def __str__(self):
        return f"{self.project.code} {self.received_on} {self.amount}"


@track_history()
class IncomeDistribution(models.Model):
    """The part of an income record paid to one beneficiary of the income right (收益分配)."""

    income = models.ForeignKey(IncomeRecord, on_delete=models.CASCADE, related_name="distributions")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("income distribution")
        verbose_name_plural = _("income distributions")
        ordering = ["income", "pk"]
        constraints = [
            models.CheckConstraint(
                name="distribution_one_beneficiary",
                condition=Q(village__isnull=False, household__isnull=True)
                | Q(village__isnull=True, household__isnull=False),
            ),
            models.CheckConstraint(name="distribution_amount_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.income} → {self.village or self.household}"


class YieldClass(models.TextChoices):
    MEETING = "meeting", _("Meets the floor of 6%")
    WEAK = "weak", _("Weak: yield below 6%")
    IDLE = "idle", _("Idle (dormant): no income in the period")
    STRUGGLING = "struggling", _("Struggling: operator in arrears on agreed payments")
    NO_INVESTMENT = "no_investment", _("No investment recorded: yield cannot be computed")


BELOW_FLOOR = (YieldClass.WEAK, YieldClass.IDLE, YieldClass.STRUGGLING)


def _supersede_func(projects: str) -> str:
    """A trigger body that sets ``superseded_on`` on every assessment of the projects ``projects`` selects: the
    period end of the project's next assessment, null on its latest. Only rows whose value changes are written."""
    return f"""
    UPDATE projects_yieldassessment assessment SET superseded_on = following.next_end
    FROM (
        SELECT id, lead(period_end) OVER (PARTITION BY project_id ORDER BY period_end) AS next_end
        FROM projects_yieldassessment
        WHERE project_id IN ({projects})
    ) following
    WHERE assessment.id = following.id AND assessment.superseded_on IS DISTINCT FROM following.next_end;
    RETURN NULL;
    """


def _supersede_trigger(name: str, operation, referencing, rows: str) -> pgtrigger.Trigger:
    """A statement trigger that keeps ``superseded_on`` for the projects of the statement's ``rows``."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=operation,
        level=pgtrigger.Statement,
        referencing=referencing,
        func=_supersede_func(f"SELECT project_id FROM {rows}"),
    )


# Excluded from the history: it is derived from the other assessments, and each month's run moves it on the
# previous assessment of every project (that row's own history has not changed).
@track_history(exclude=["superseded_on"])
class YieldAssessment(models.Model):
    """One project's classification for the twelve months ending on ``period_end`` (a month's last day)."""

    project = models.ForeignKey(IndustryProject, on_delete=models.CASCADE, related_name="yield_assessments")
    period_end = models.DateField(_("period ending"))
    income = models.DecimalField(_("income in the period (yuan)"), **MONEY)
    investment = models.DecimalField(_("total investment (yuan)"), **MONEY)
    # income / investment, a fraction (0.0600 is 6%); null when there is no investment.
    yield_rate = models.DecimalField(_("yield"), max_digits=9, decimal_places=6, null=True, blank=True)
    classification = models.CharField(_("classification"), max_length=20, choices=YieldClass.choices)
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    # Set when this assessment put the project below the floor afresh (notified, plan opened).
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    # The period end of the project's next assessment; null on its latest. The project's latest assessment on a day
    # is then the one with period_end <= day < superseded_on (``latest_assessments_on``), found through an index
    # instead of comparing every assessment with the project's others. Kept by the triggers below for every writer
    # (the yield job's upsert, the generator's COPY, a test's factory); never set by hand.
    superseded_on = models.DateField(_("superseded by the period ending"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("yield assessment")
        verbose_name_plural = _("yield assessments")
        ordering = ["project", "-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period_end"], name="yield_assessment_once_per_period")
        ]
        indexes = [
            models.Index(fields=["period_end", "classification"], name="yield_period_class"),
            models.Index(fields=["superseded_on", "classification"], name="yield_superseded_class"),
        ]
        # Statement triggers see each statement's rows once (the monthly run inserts one per project). A trigger
        # with a transition table cannot name columns, so a change of project or period is a row trigger; setting
        # superseded_on changes neither, so the update below never fires it again.
        triggers = [
            _supersede_trigger("supersede_on_insert", pgtrigger.Insert, pgtrigger.Referencing(new="added"), "added"),
            _supersede_trigger(
                "supersede_on_delete", pgtrigger.Delete, pgtrigger.Referencing(old="removed"), "removed"
            ),
            pgtrigger.Trigger(
                name="supersede_on_move",
                when=pgtrigger.After,
                operation=pgtrigger.UpdateOf("project_id", "period_end"),
                level=pgtrigger.Row,
                func=_supersede_func("OLD.project_id, NEW.project_id"),
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.period_end} {self.classification}"


class Remedy(models.TextChoices):
    ADD_INVESTMENT = "add_investment", _("Add investment")
    PAIR = "pair", _("Pair with another project")
    CONVERT = "convert", _("Convert and upgrade")
    OTHER = "other", _("Other")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


@track_history()
class RectificationPlan(models.Model):
    """整改转化方案 for a weak, idle or struggling project, tracked to completion."""

    project = models.ForeignKey(IndustryProject, on_delete=models.PROTECT, related_name="rectification_plans")
    assessment = models.ForeignKey(
        YieldAssessment, on_delete=models.PROTECT, related_name="plans", null=True, blank=True
    )
    remedy = models.CharField(_("remedy"), max_length=20, choices=Remedy.choices, blank=True)
    paired_project = models.ForeignKey(
        IndustryProject,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("paired with"),
    )
    steps = models.TextField(_("steps"), blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    completed_on = models.DateField(pgettext_lazy("rectification plan", "completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open plan per project: the job never opens a second while one is being worked on.
            models.UniqueConstraint(
                fields=["project"], condition=~Q(status=PlanStatus.COMPLETED), name="rectification_plan_one_open"
            ),
            # A plan leaves draft only when it says what, who and by when.
            models.CheckConstraint(
                name="rectification_plan_complete_when_started",
                condition=Q(status=PlanStatus.DRAFT)
                | (~Q(remedy="") & ~Q(steps="") & ~Q(responsible_unit="") & Q(deadline__isnull=False)),
            ),
            models.CheckConstraint(
                name="rectification_plan_completion_dated",
                condition=~Q(status=PlanStatus.COMPLETED) | Q(completed_on__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.get_remedy_display() or self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("projects:plan_detail", args=[self.pk])
