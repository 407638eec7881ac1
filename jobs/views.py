from django.views.generic import TemplateView

from jobs.permissions import JOB_STATUS_READERS
from jobs.selectors import job_status
from organisation.access import RoleRequiredMixin


class JobStatusView(RoleRequiredMixin, TemplateView):
    """Are the worker and beat alive, and what did every scheduled job do last."""

    allowed_roles = JOB_STATUS_READERS
    template_name = "jobs/status.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(status=job_status(), **kwargs)
