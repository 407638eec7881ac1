"""Import of an inspection's or audit's list of problems from Excel: upload, a background check with a progress bar,
the preview of every problem, and the confirmation that writes every item at once. The work itself is in
``audits.services.imports``."""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, View

from audits import importing
from audits.models import AuditEngagement, LedgerImport
from audits.permissions import LEDGER_IMPORTERS, audits_scope
from audits.services.imports import MAX_UPLOAD_BYTES, ledger_import_confirm, ledger_import_upload
from households.models import ImportStatus
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.forms import StyledFormMixin
from organisation.scoping import Access
from organisation.steps import ServiceActionView, ServiceFormView

ERRORS_PER_PAGE = 50
RUNNING = (ImportStatus.UPLOADED, ImportStatus.CHECKING)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LedgerImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Sheet (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    engagement = forms.ModelChoiceField(
        queryset=AuditEngagement.objects.none(),
        required=False,
        label=gettext_lazy("Audit engagement"),
        help_text=gettext_lazy("The inspection or audit the problems were found by, if it is recorded."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = audits_scope(user, Access.VIEW, AuditEngagement.objects.all())
        self.fields["file"].help_text = _("One row per problem, as in the template; at most %(size)d MB.") % {
            "size": MAX_UPLOAD_BYTES // (1024 * 1024)
        }


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


class LedgerImportDetailView(LedgerImportScopedMixin, DetailView):
    """One import: its progress while it is checked, then every problem page by page, or the button that writes."""

    template_name = "audits/imports/import_detail.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            running=job.status in RUNNING,
            errors=errors,
            page_obj=errors,
            paginator=errors.paginator,
            is_paginated=errors.paginator.num_pages > 1,
            can_confirm=job.status == ImportStatus.CHECKED and not job.error_count,
            percent=_percent(job),
        )
        return context


class LedgerImportProgressView(LedgerImportScopedMixin, DetailView):
    """The progress bar, polled by htmx; once the check is over, the whole page reloads."""

    template_name = "audits/imports/_progress.html"
    context_object_name = "job"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in RUNNING:
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        return self.render_to_response(self.get_context_data(object=self.object, percent=_percent(self.object)))


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


class LedgerImportTemplateView(LoginRequiredMixin, View):
    """The empty list with its columns, an example row and the allowed words."""

    record_free = True

    def get(self, request):
        response = HttpResponse(importing.template_workbook(), content_type=XLSX)
        filename = "整改问题导入模板.xlsx"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response


def _percent(job) -> int | None:
    if not job.rows_total:
        return None
    return min(100, round(100 * job.rows_done / job.rows_total))


urlpatterns = [
    path("imports/", LedgerImportListView.as_view(), name="import_list"),
    path("imports/template.xlsx", LedgerImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", LedgerImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", LedgerImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/confirm/", LedgerImportConfirmView.as_view(), name="import_confirm"),
]
