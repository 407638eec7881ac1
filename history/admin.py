from django.contrib import admin

from history.models import Checkpoint, Seal


class ReadOnlyAdmin(admin.ModelAdmin):
    """The history is append-only in the database; the admin only shows it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ["id", "event_table", "event_id", "sealed_at", "digest"]
    list_filter = ["event_table"]
    search_fields = ["digest", "event_table"]
    ordering = ["-id"]
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["id", "seal", "digest", "created_at"]
    list_select_related = ["seal"]
    ordering = ["-id"]
