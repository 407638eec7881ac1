"""年度监督工作计划 and 审计项目 (points 6 and 19): the year's planned inspections and audits, and each
engagement with its scope, team, dates and report. Coverage (全覆盖) compares the two."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.choices import Quarter, SubjectKind, SupervisionBody
from funds.choices import Hop
from history.tracking import track_history
from organisation.models import Town
from projects.models import Category as ProjectCategory


class SubjectFields(models.Model):
    """What an inspection or audit covers: a town, a hop of the funds chain, a project category or microcredit."""

    body = models.CharField(_("body"), max_length=30, choices=SupervisionBody.choices)
    subject_kind = models.CharField(_("subject"), max_length=20, choices=SubjectKind.choices)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    hop = models.CharField(_("fund flow"), max_length=20, choices=Hop.choices, blank=True)
    project_category = models.CharField(
        _("project category"), max_length=20, choices=ProjectCategory.choices, blank=True
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(class)s_subject_matches_kind",
                condition=(
                    Q(subject_kind=SubjectKind.TOWN, town__isnull=False, hop="", project_category="")
                    | Q(subject_kind=SubjectKind.FUND_FLOW, town__isnull=True, project_category="") & ~Q(hop="")
                    | Q(subject_kind=SubjectKind.PROJECT_CATEGORY, town__isnull=True, hop="") & ~Q(project_category="")
                    | Q(subject_kind=SubjectKind.MICROCREDIT, town__isnull=True, hop="", project_category="")
                ),
            )
        ]


@track_history()
class PlannedInspection(SubjectFields):
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices)
    title = models.CharField(_("title"), max_length=200)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(SubjectFields.Meta):
        verbose_name = _("planned inspection or audit")
        verbose_name_plural = _("planned inspections and audits")
        ordering = ["year", "quarter", "pk"]

    def __str__(self):
        return self.title


@track_history()
class AuditEngagement(SubjectFields):
    """审计项目 (or an inspection): its findings become ledger items (``RectificationItem.engagement``)."""

    title = models.CharField(_("title"), max_length=200)
    planned = models.ForeignKey(
        PlannedInspection, on_delete=models.PROTECT, null=True, blank=True, related_name="engagements",
        verbose_name=_("planned as"),
    )  # fmt: skip
    scope = models.TextField(_("scope"))
    team = models.TextField(_("team"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    report = models.FileField(_("report"), upload_to="audits/reports/%Y/", blank=True)
    report_sha256 = models.CharField(_("report SHA-256"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta(SubjectFields.Meta):
        verbose_name = _("audit engagement")
        verbose_name_plural = _("audit engagements")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("audits:engagement_detail", args=[self.pk])
