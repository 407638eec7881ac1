from django.contrib import admin

from households.models import IdNumberReveal


@admin.register(IdNumberReveal)
class IdNumberRevealAdmin(admin.ModelAdmin):
    """Who saw which full ID number, and where: read-only, for the district office and the auditors."""

    list_display = ["revealed_at", "user", "member", "context"]
    list_filter = ["revealed_at"]
    search_fields = ["user__username", "member__name", "context"]
    list_select_related = ["user", "member"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from households import admin_reference  # noqa: E402, F401  (PovertyLine, DibaoStandard, InsuranceScheme)
