"""Import of an inspection's or audit's list of problems from Excel: upload, a background check with a progress bar,
the preview of every problem, and the confirmation that writes every item at once. The work itself is in
``audits.services.imports``."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits import importing
from audits.forms_imports import LedgerImportForm
from audits.models import LedgerImport
from audits.permissions import LEDGER_IMPORTERS, audits_scope
from audits.services.imports import (
    ledger_import_confirm,
    ledger_import_retry,
    ledger_import_retryable,
    ledger_import_upload,
)
from households.models import ImportStatus
from organisation import import_pages
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.scoping import Access
from organisation.steps import ServiceActionView, ServiceFormView

RUNNING = (ImportStatus.UPLOADED, ImportStatus.CHECKING)


class LedgerImportScopedMixin(RoleRequiredMixin, ScopedMixin):
    model = LedgerImport
    scope = audits_scope
    allowed_roles = LEDGER_IMPORTERS

    def get_queryset(self):
        return audits_scope(self.request.user, self.access, LedgerImport.objects.all()).select_related(
            "uploaded_by", "engagement", "confirmed_by"
        )


class LedgerImportListView(LedgerImportScopedMixin, ServiceFormView):
    """The recent imports, and the upload form."""

    form_class = LedgerImportForm
    template_name = "audits/imports/import_list.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = Paginator(self.get_queryset(), 20).get_page(self.request.GET.get("page"))
        return context

    def perform(self, *, file, engagement):
        return ledger_import_upload(
            user=self.request.user, upload=file, engagement=engagement, language=self.request.LANGUAGE_CODE
        )

    def get_success_url(self):
        return reverse("audits:import_detail", args=[self.result.pk])


class LedgerImportDetailView(LedgerImportScopedMixin, import_pages.ImportJobDetailView):
    """One import: its progress while it is checked, then every problem page by page, or the button that writes."""

    template_name = "audits/imports/import_detail.html"
    running_statuses = RUNNING
    checked_status = ImportStatus.CHECKED

    def job_errors(self, job):
        return job.errors

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_retry=ledger_import_retryable(self.object), **kwargs)


class LedgerImportProgressView(LedgerImportScopedMixin, import_pages.ImportJobProgressView):
    template_name = "audits/imports/_progress.html"
    running_statuses = RUNNING


class LedgerImportConfirmView(LedgerImportScopedMixin, ServiceActionView):
    access = Access.CHANGE

    def perform(self):
        job = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return ledger_import_confirm(user=self.request.user, job=job)

    def get_success_message(self, result):
        if result.status == ImportStatus.IMPORTED:
            return _("%(count)d ledger items were written.") % {"count": result.items_created}
        return _("The towns or villages changed since the check: nothing was written. The problems are listed below.")

    def get_success_url(self):
        return reverse("audits:import_detail", args=[self.kwargs["pk"]])


class LedgerImportRetryView(LedgerImportScopedMixin, ServiceActionView):
    """ "Retry": an import whose worker died is checked again, with the file already uploaded."""

    access = Access.CHANGE
    success_message = gettext_lazy("The check has started again; this page shows its progress.")
    success_level = messages.INFO

    def perform(self):
        job = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return ledger_import_retry(user=self.request.user, job=job)

    def get_success_url(self):
        return reverse("audits:import_detail", args=[self.kwargs["pk"]])


class LedgerImportTemplateView(LoginRequiredMixin, import_pages.ImportTemplateView):
    """The empty list with its columns, an example row and the allowed words."""

    record_free = True
    filename = "整改问题导入模板.xlsx"

    def workbook(self) -> bytes:
        return importing.template_workbook()


urlpatterns = [
    path("imports/", LedgerImportListView.as_view(), name="import_list"),
    path("imports/template.xlsx", LedgerImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", LedgerImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", LedgerImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/confirm/", LedgerImportConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/retry/", LedgerImportRetryView.as_view(), name="import_retry"),
]
