"""The projects' reference data the district office keeps: the review committee's departments and the policy."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organisation.admin import ReferenceDataAdmin
from projects.models import ProjectsPolicy, ReviewDepartment


@admin.register(ReviewDepartment)
class ReviewDepartmentAdmin(ReferenceDataAdmin):
    """Who sits on the project review committee. A department that leaves it is unticked, not deleted: its
    opinions stay with the projects it reviewed, and its opinion is no longer needed."""

    ordering = ["sort_order", "name"]
    search_fields = ["name"]
    list_display = ["name", "is_member", "sort_order"]
    list_editable = ["is_member", "sort_order"]
    list_filter = ["is_member"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.opinions.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ProjectsPolicy)
class ProjectsPolicyAdmin(ReferenceDataAdmin):
    """The one row of the projects' figures. A new publicity period applies to publicities opened after it; one
    already open keeps the end it was published with."""

    ordering = ["pk"]
    search_fields = []
    list_display = ["__str__", "publicity_days"]
    fieldsets = [(None, {"fields": ["publicity_days"], "description": _("Publicities already open keep their end.")})]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ProjectsPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        ProjectsPolicy.objects.get_or_create(pk=1)  # the row exists before the office first opens the list
        return super().get_queryset(request)
