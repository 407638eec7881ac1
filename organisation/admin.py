from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from organisation.models import District, StaffPost, Town, Village
from organisation.roles import Role
from organisation.scoping import role_of


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Town)
class TownAdmin(GuardedModelAdmin):
    list_display = ["name", "kind", "code", "district"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Village)
class VillageAdmin(GuardedModelAdmin):
    list_display = ["name", "town", "code", "is_key_village", "is_demo"]
    list_filter = ["town", "is_key_village", "is_demo"]
    search_fields = ["name", "code"]
    list_select_related = ["town"]


@admin.register(StaffPost)
class StaffPostAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "town", "village", "is_demo"]
    list_filter = ["role", "town"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "town", "village"]
    autocomplete_fields = ["town", "village"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        # Permissions on the town or village must follow the post: one service grants both.
        from organisation.services import staff_post_assign

        staff_post_assign(
            user=obj.user, role=obj.role, town=obj.town, village=obj.village, work_unit=obj.work_unit, phone=obj.phone
        )


from organisation import calendar_admin  # noqa: E402, F401


class ReferenceDataAdmin(admin.ModelAdmin):
    """Kept by the district office (and superusers), whatever model permissions the role's group holds."""

    ordering = ["-year"]
    search_fields = ["year"]

    def _is_keeper(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or (user.is_staff and role_of(user) == Role.DISTRICT_OFFICE))

    def has_module_permission(self, request):
        return self._is_keeper(request)

    def has_view_permission(self, request, obj=None):
        return self._is_keeper(request)

    def has_add_permission(self, request):
        return self._is_keeper(request)

    def has_change_permission(self, request, obj=None):
        return self._is_keeper(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_keeper(request)
