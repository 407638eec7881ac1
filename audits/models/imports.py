"""Excel imports of an inspection's or audit's list of problems into the ledger: one job per uploaded file, checked
in full before it writes (``audits.services.imports``)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from households.models import ImportStatus


class LedgerImport(models.Model):
    """An uploaded list of problems: its check's problems (``errors``, personal values masked) and, once confirmed
    and written, how many ledger items it made. The file is deleted once the job is over."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    engagement = models.ForeignKey(
        "audits.AuditEngagement", on_delete=models.PROTECT, null=True, blank=True, related_name="imports",
        verbose_name=_("audit engagement"),
    )  # fmt: skip
    file = models.FileField(_("file"), upload_to="audits/imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    language = models.CharField(max_length=10, default="zh-hans", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [{"row": 3, "column": "F", "header": "村居", "value": "…", "message": "…"}], the first MAX_ERRORS_STORED.
    errors = models.JSONField(_("problems"), default=list, blank=True)
    items_created = models.PositiveIntegerField(_("items created"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("confirmed by"),
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("audits:import_detail", args=[self.pk])
