"""Excel imports of households and members: one job per uploaded file, checked before it writes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Town


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, ready to import")
    REJECTED = "rejected", _("Has errors, nothing imported")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("town"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        verbose_name = _("household import")
        verbose_name_plural = _("household imports")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors", verbose_name=_("import"))
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=50, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    message = models.CharField(_("problem"), max_length=300)

    class Meta:
        verbose_name = _("import row error")
        verbose_name_plural = _("import row errors")
        ordering = ["job", "row", "id"]

    def __str__(self):
        return f"{self.job_id}:{self.row} {self.column}"
