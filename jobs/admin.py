from django.contrib import admin

from jobs.models import JobRun, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the workers only; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["task_name", "last_started_at", "last_finished_at", "last_status", "last_duration", "run_count"]
    list_filter = ["last_status"]
    search_fields = ["task_name"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["hostname", "last_beat_at"]
