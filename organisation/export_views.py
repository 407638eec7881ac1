"""The pages of every list export (``organisation.exports``): the list's button posts here with the list's query
string, the job's page shows the progress htmx polls, then offers the download. A job is its owner's alone
(``exports_scope``): anyone else gets a 404 on its page, its progress and its file."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from organisation.access import ScopedMixin
from organisation.export_services import export_job_create, export_job_retry
from organisation.exports import export_of
from organisation.import_pages import XLSX, JobProgressView
from organisation.models import ExportStatus
from organisation.permissions import exports_scope
from organisation.steps import ServiceActionView

RUNNING = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class _Exports(ScopedMixin):
    scope = staticmethod(exports_scope)


class ExportAskView(_Exports, View):
    """POST: a new export of the list ``kind`` as filtered (the query string); ``full_ids`` from the button shown to
    the roles that may see full ID numbers."""

    def post(self, request, kind):
        job = export_job_create(
            user=request.user, kind=kind, filters=request.GET, full_ids=request.POST.get("full_ids") == "1"
        )
        messages.info(request, _("The export is being prepared."))
        return redirect("organisation:export_job", pk=job.pk)


class ExportJobDetailView(_Exports, DetailView):
    template_name = "organisation/export_job.html"

    def get_context_data(self, **kwargs):
        export = export_of(self.object.kind)
        return super().get_context_data(running=self.object.status in RUNNING, export=export, **kwargs)


class ExportJobProgressView(_Exports, JobProgressView):
    template_name = "organisation/_export_progress.html"
    running_statuses = RUNNING


class ExportJobRetryView(_Exports, ServiceActionView):
    """ "Retry": a failed export (its worker died, say) is asked for again with the same filters."""

    success_message = gettext_lazy("The export is being prepared again.")
    success_level = messages.INFO

    def perform(self):
        job = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return export_job_retry(user=self.request.user, job=job)

    def get_success_url(self):
        return reverse("organisation:export_job", args=[self.kwargs["pk"]])


class ExportJobDownloadView(_Exports, View):
    """The finished file, for its owner only, never cached."""

    def get(self, request, pk):
        job = self.get_queryset().filter(pk=pk).first()
        if job is None or job.status != ExportStatus.DONE or not job.file:
            raise Http404
        export = export_of(job.kind)
        title = str(export.title) if export is not None else job.kind
        name = f"{title} {job.created_at:%Y-%m-%d}.xlsx"
        response = FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type=XLSX)
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("exports/jobs/<int:pk>/", ExportJobDetailView.as_view(), name="export_job"),
    path("exports/jobs/<int:pk>/progress/", ExportJobProgressView.as_view(), name="export_job_progress"),
    path("exports/jobs/<int:pk>/retry/", ExportJobRetryView.as_view(), name="export_job_retry"),
    path("exports/jobs/<int:pk>/download/", ExportJobDownloadView.as_view(), name="export_job_download"),
    path("exports/<str:kind>/", ExportAskView.as_view(), name="export_ask"),
]
