"""The pages every import job shares (households' register sheets, the ledger's lists of problems): the job's page with
its problems page by page, the progress bar htmx polls while the job runs, and the template sheet to download.

A job has ``status``, ``rows_total``, ``rows_done`` and ``error_count``; each app's view names the statuses in which
its job is still running and where its problems are.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.generic import DetailView, View

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_PER_PAGE = 50


def import_percent(job) -> int | None:
    """How far the job has got, in percent; None before it knows its number of rows."""
    if not job.rows_total:
        return None
    return min(100, round(100 * job.rows_done / job.rows_total))


class ImportJobDetailView(DetailView):
    """Subclasses set ``running_statuses`` and ``checked_status`` and return the job's problems from ``job_errors``
    (shown ``ERRORS_PER_PAGE`` a page); ``may_confirm`` adds what else the confirm button needs."""

    context_object_name = "job"
    running_statuses: tuple = ()
    checked_status = None

    def job_errors(self, job):
        raise NotImplementedError

    def may_confirm(self, job) -> bool:
        return True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        errors = Paginator(self.job_errors(job), ERRORS_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            running=job.status in self.running_statuses,
            errors=errors,
            page_obj=errors,
            paginator=errors.paginator,
            is_paginated=errors.paginator.num_pages > 1,
            can_confirm=job.status == self.checked_status and not job.error_count and self.may_confirm(job),
            percent=import_percent(job),
        )
        return context


class JobProgressView(DetailView):
    """The progress bar of a background job (an import, an export, a report), polled by htmx; once the job is no
    longer in one of ``running_statuses``, the whole page reloads to show how it ended."""

    running_statuses: tuple = ()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in self.running_statuses:
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        return self.render_to_response(self.get_context_data(object=self.object, **self.progress()))

    def progress(self) -> dict:
        """What the bar shows besides the job itself."""
        return {}


class ImportJobProgressView(JobProgressView):
    context_object_name = "job"

    def progress(self) -> dict:
        return {"percent": import_percent(self.object)}


class ImportTemplateView(View):
    """The empty sheet with its columns, an example row and the allowed values: ``workbook()`` gives its bytes."""

    filename = ""

    def workbook(self) -> bytes:
        raise NotImplementedError

    def get(self, request):
        response = HttpResponse(self.workbook(), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=self.filename)
        return response
