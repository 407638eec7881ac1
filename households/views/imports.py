"""Excel import of households: upload, a background check with a progress bar, the preview of every problem,
confirmation, and the background write. The work itself is in ``households.services.imports``."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy

from households.forms.imports import ImportUploadForm
from households.id_numbers import id_number_mask
from households.importing import HEADER
from households.models import ImportJob, ImportStatus
from households.permissions import households_scope
from households.resources import template_workbook
from households.services.imports import (
    import_job_confirm,
    import_job_create,
    import_job_retry,
    import_towns,
)
from households.views.base import HouseholdScopedMixin
from organisation import import_pages
from organisation.scoping import Access
from organisation.steps import ServiceActionView, ServiceFormView

RUNNING = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.IMPORTING)


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


class ImportJobDetailView(ImportJobScopedMixin, import_pages.ImportJobDetailView):
    """One import: its progress while it runs, then the summary and every problem, page by page."""

    template_name = "households/imports/import_detail.html"
    running_statuses = RUNNING
    checked_status = ImportStatus.CHECKED

    def job_errors(self, job):
        return job.row_errors.order_by("row", "id")

    def may_confirm(self, job) -> bool:
        return households_scope(self.request.user, Access.CHANGE, ImportJob.objects.filter(pk=job.pk)).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page's problems, read once and kept by the page: the template shows these masked values.
        for error in context["errors"]:
            if error.column == HEADER["id_number"] and error.value:
                error.value = id_number_mask(error.value)
        return context


class ImportJobProgressView(ImportJobScopedMixin, import_pages.ImportJobProgressView):
    template_name = "households/imports/_progress.html"
    running_statuses = RUNNING


class ImportJobConfirmView(ImportJobScopedMixin, ServiceActionView):
    access = Access.CHANGE
    success_message = gettext_lazy("The import has started; this page shows its progress.")
    success_level = messages.INFO

    def perform(self):
        job = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return import_job_confirm(user=self.request.user, job=job)

    def get_success_url(self):
        return reverse("households:import_detail", args=[self.kwargs["pk"]])


class ImportJobRetryView(ImportJobScopedMixin, ServiceActionView):
    """ "Retry": a job whose worker died starts again from the step it died in, with the file already uploaded."""

    access = Access.CHANGE
    success_message = gettext_lazy("The import has started again; this page shows its progress.")
    success_level = messages.INFO

    def perform(self):
        job = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return import_job_retry(user=self.request.user, job=job)

    def get_success_url(self):
        return reverse("households:import_detail", args=[self.kwargs["pk"]])


class ImportTemplateView(LoginRequiredMixin, import_pages.ImportTemplateView):
    """The empty sheet with its columns, an example row and the allowed values."""

    record_free = True
    filename = "贫困户导入模板.xlsx"

    def workbook(self) -> bytes:
        return template_workbook()


urlpatterns = [
    path("imports/", ImportListView.as_view(), name="import_list"),
    path("imports/template.xlsx", ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", ImportJobDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", ImportJobProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/confirm/", ImportJobConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/retry/", ImportJobRetryView.as_view(), name="import_retry"),
]

detail_sections = []
