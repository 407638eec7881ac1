from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from history.models import Checkpoint, Seal

# A seal of a bulk write holds tens of thousands of event ids and digests: lists load neither.
SEAL_ARRAYS = ["event_ids", "event_digests"]


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
    list_display = ["id", "event_table", "events", "sealed_at", "digest"]
    list_filter = ["event_table"]
    search_fields = ["digest", "event_table"]
    ordering = ["-id"]
    show_full_result_count = False
    fields = ["event_table", "scheme", "events", "event_range", "columns", "prev_digest", "digest", "sealed_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*SEAL_ARRAYS).with_event_total()

    @admin.display(description=_("number of events"), ordering="event_total")
    def events(self, seal):
        return seal.event_total

    @admin.display(description=_("event ids"))
    def event_range(self, seal):
        if seal.scheme == Seal.Scheme.EVENT:
            return f"#{seal.event_id}"
        first, last = seal.event_ids[0], seal.event_ids[-1]
        return f"#{first}" if first == last else f"#{first} … #{last}"


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["id", "seal", "digest", "created_at"]
    list_select_related = ["seal"]
    ordering = ["-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*(f"seal__{name}" for name in SEAL_ARRAYS))
