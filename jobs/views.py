from django.views.generic import TemplateView

from jobs.permissions import JOB_STATUS_READERS
from jobs.selectors import job_status
from organisation.access import RoleRequiredMixin

PING_TIMEOUT = 1.0


class JobStatusView(RoleRequiredMixin, TemplateView):
    """Are the worker and beat alive, and what did every scheduled job do last."""

    allowed_roles = JOB_STATUS_READERS
    template_name = "jobs/status.html"

    def get_context_data(self, **kwargs):
        # The heartbeats answer at once; a ping, which waits a second for the workers, only when asked for.
        pinged = self.request.GET.get("ping") == "1"
        return super().get_context_data(status=job_status(ping_timeout=PING_TIMEOUT if pinged else None), **kwargs)
