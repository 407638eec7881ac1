"""Excel import of households: upload, a background check with a progress bar, the preview of every problem,
confirmation, and the background write. The work itself is in ``households.services.imports``."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, View

from households.forms.imports import ImportUploadForm
from households.id_numbers import id_number_mask
from households.importing import HEADER
from households.models import ImportJob, ImportStatus
from households.permissions import households_scope
from households.resources import template_workbook
from households.services.imports import (
    import_job_confirm,
    import_job_create,
    import_towns,
)
from households.views.base import HouseholdScopedMixin
from organisation.scoping import Access
from organisation.steps import ServiceActionView, ServiceFormView

ERRORS_PER_PAGE = 50
RUNNING = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.IMPORTING)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportJobScopedMixin(HouseholdScopedMixin):
    model = ImportJob

    def get_queryset(self):
        return super().get_queryset().select_related("town", "uploaded_by")


class ImportListView(ImportJobScopedMixin, ServiceFormView):
    """The imports of the user's towns, and the upload form."""

    form_class = ImportUploadForm
    template_name = "households/imports/import_list.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = Paginator(self.get_queryset().order_by("-uploaded_at"), 20).get_page(self.request.GET.get("page"))
        context.update(jobs=jobs, can_upload=import_towns(self.request.user).exists())
        return context

    def post(self, request, *args, **kwargs):
        # Uploading into a town beyond the user's reach is refused outright, not shown as a form error.
        town = request.POST.get("town", "")
        if town.isdigit() and not import_towns(request.user).filter(pk=town).exists():
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def perform(self, *, town, file):
        return import_job_create(user=self.request.user, town=town, upload=file, language=self.request.LANGUAGE_CODE)

    def get_success_url(self):
        return reverse("households:import_detail", args=[self.result.pk])


class ImportJobDetailView(ImportJobScopedMixin, DetailView):
    """One import: its progress while it runs, then the summary and every problem, page by page."""

    template_name = "households/imports/import_detail.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        errors = Paginator(job.row_errors.order_by("row", "id"), ERRORS_PER_PAGE)
        errors = errors.get_page(self.request.GET.get("page"))
        for error in errors:
            if error.column == HEADER["id_number"] and error.value:
                error.value = id_number_mask(error.value)
        context.update(
            running=job.status in RUNNING,
            errors=errors,
            page_obj=errors,
            paginator=errors.paginator,
            is_paginated=errors.paginator.num_pages > 1,
            can_confirm=job.status == ImportStatus.CHECKED
            and not job.error_count
            and households_scope(self.request.user, Access.CHANGE, ImportJob.objects.filter(pk=job.pk)).exists(),
            percent=_percent(job),
        )
        return context


class ImportJobProgressView(ImportJobScopedMixin, DetailView):
    """The progress bar, polled by htmx; once the job has moved on, the whole page reloads."""

    template_name = "households/imports/_progress.html"
    context_object_name = "job"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in RUNNING:
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        return self.render_to_response(self.get_context_data(object=self.object, percent=_percent(self.object)))


class ImportJobConfirmView(ImportJobScopedMixin, ServiceActionView):
    access = Access.CHANGE
    success_message = gettext_lazy("The import has started; this page shows its progress.")
    success_level = messages.INFO

    def perform(self):
        job = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return import_job_confirm(user=self.request.user, job=job)

    def get_success_url(self):
        return reverse("households:import_detail", args=[self.kwargs["pk"]])


class ImportTemplateView(LoginRequiredMixin, View):
    """The empty sheet with its columns, an example row and the allowed values."""

    record_free = True

    def get(self, request):
        response = HttpResponse(template_workbook(), content_type=XLSX)
        filename = "贫困户导入模板.xlsx"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response


def _percent(job) -> int | None:
    if not job.rows_total:
        return None
    return min(100, round(100 * job.rows_done / job.rows_total))


urlpatterns = [
    path("imports/", ImportListView.as_view(), name="import_list"),
    path("imports/template.xlsx", ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", ImportJobDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", ImportJobProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/confirm/", ImportJobConfirmView.as_view(), name="import_confirm"),
]

detail_sections = []
