"""The roster export: the list page's button asks for it (with the list's filters), its page shows the progress htmx
polls, then offers the download. A job is its owner's alone (``households_scope``): anyone else gets a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from households.models import ExportJob, ExportStatus, Household
from households.permissions import may_reveal_id_numbers
from households.services.exports import export_job_create
from households.views.base import HouseholdScopedMixin
from organisation.import_pages import JobProgressView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class HouseholdExportView(HouseholdScopedMixin, View):
    """POST: a new export of the list as filtered (its query string); ``full_ids`` from the button for the roles
    that may see full ID numbers."""

    model = Household

    def post(self, request):
        filters = {key: value for key, value in request.GET.items() if key != "page"}
        full_ids = request.POST.get("full_ids") == "1"
        if full_ids and not may_reveal_id_numbers(request.user):
            raise PermissionDenied
        job = export_job_create(user=request.user, filters=filters, full_ids=full_ids)
        messages.info(request, _("The export is being prepared."))
        return redirect("households:export_job", pk=job.pk)


class ExportJobDetailView(HouseholdScopedMixin, DetailView):
    model = ExportJob
    template_name = "households/export_job.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(running=self.object.status in RUNNING, **kwargs)


class ExportJobProgressView(HouseholdScopedMixin, JobProgressView):
    model = ExportJob
    template_name = "households/_export_progress.html"
    running_statuses = RUNNING


class ExportJobDownloadView(HouseholdScopedMixin, View):
    """The finished file, for its owner only, never cached."""

    model = ExportJob

    def get(self, request, pk):
        job = self.get_queryset().filter(pk=pk).first()
        if job is None or job.status != ExportStatus.DONE or not job.file:
            raise Http404
        name = _("households %(date)s.xlsx") % {"date": f"{job.created_at:%Y-%m-%d}"}
        response = FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type=XLSX)
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("export/", HouseholdExportView.as_view(), name="household_export"),
    path("exports/<int:pk>/", ExportJobDetailView.as_view(), name="export_job"),
    path("exports/<int:pk>/progress/", ExportJobProgressView.as_view(), name="export_job_progress"),
    path("exports/<int:pk>/download/", ExportJobDownloadView.as_view(), name="export_job_download"),
]
