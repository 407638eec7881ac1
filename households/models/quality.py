"""Data quality (point 19): the problems a check finds, and each town's score per run."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from households.models.household import Household, Member
from organisation.models import Town


class ProblemClass(models.TextChoices):
    IDENTIFICATION = "identification", _("Inaccurate identification")
    EXIT = "exit", _("Inaccurate exit")
    INFORMATION = "information", _("Inaccurate information")
    FILE = "file", _("Non-standard file")


class QualityRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# What a run whose worker died says (``households.services.quality.quality_run_stopped``), to everyone who watches it:
# unlike a failed run's traceback, it holds nothing only the district office should read.
WORKER_STOPPED = _(
    "The worker running this check stopped before it was done (it was killed or its machine was lost). "
    'Press "Check now" to run it again.'
)


def worker_stopped_message() -> str:
    """``WORKER_STOPPED`` in the site's language: stored text, whoever watches."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(WORKER_STOPPED)


class QualityRun(models.Model):
    """One run of every data-quality rule (nightly, or on demand)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=QualityRunStatus.choices, default="queued")
    rules_total = models.PositiveSmallIntegerField(_("rules"), default=0)
    rules_done = models.PositiveSmallIntegerField(_("rules checked"), default=0)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("data-quality run")
        verbose_name_plural = _("data-quality runs")
        ordering = ["-queued_at"]

    def __str__(self):
        return f"{self.queued_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def worker_stopped(self) -> bool:
        return self.status == QualityRunStatus.FAILED and self.error == worker_stopped_message()


@track_history()
class QualityProblem(models.Model):
    """One problem with one file. ``key`` is stable across runs (rule + record), so the audits app can
    turn a problem into a rectification item and find it again."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    rule = models.CharField(_("rule"), max_length=50)
    problem_class = models.CharField(_("problem class"), max_length=20, choices=ProblemClass.choices)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="quality_problems", verbose_name=_("town"))
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="quality_problems", verbose_name=_("household")
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="quality_problems",
        verbose_name=_("member"),
    )  # fmt: skip
    detail = models.CharField(_("detail"), max_length=300)
    first_found_at = models.DateTimeField(_("first found at"))
    last_found_at = models.DateTimeField(_("last found at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-quality problem")
        verbose_name_plural = _("data-quality problems")
        ordering = ["town", "household", "rule"]
        indexes = [models.Index(fields=["town", "resolved_at"]), models.Index(fields=["rule", "resolved_at"])]

    def __str__(self):
        return self.key


class TownQualityScore(models.Model):
    """A town's error count and rate at the end of a run; the scorecard's trend is these over runs."""

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="scores", verbose_name=_("run"))
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="quality_scores", verbose_name=_("town"))
    households = models.PositiveIntegerField(_("households"))
    households_with_problems = models.PositiveIntegerField(_("households with problems"))
    problems = models.PositiveIntegerField(_("problems"))

    class Meta:
        verbose_name = _("town data-quality score")
        verbose_name_plural = _("town data-quality scores")
        constraints = [models.UniqueConstraint(fields=["run", "town"], name="quality_score_one_per_run_town")]

    def __str__(self):
        return f"{self.town} {self.run_id}"
