"""Writes to the organisation tree and to who holds which post."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from organisation.models import StaffPost, Town, TownUserObjectPermission, Village, VillageUserObjectPermission
from organisation.roles import LEVEL_OF_ROLE, ROLE_MODEL_PERMISSIONS, Level, Role

# Town-level roles may change their town's records; the village clerk changes only their village's.
TOWN_PERMS = ("organisation.view_town_records", "organisation.change_town_records")
VILLAGE_PERMS = ("organisation.view_village_records", "organisation.change_village_records")


def role_group(role: Role) -> Group:
    """The auth Group of a role: model-level permissions of the role are granted to it."""
    group, _created = Group.objects.get_or_create(name=f"role:{role.value}")
    return group


@transaction.atomic
def staff_post_assign(
    *,
    user: User,
    role: Role,
    town: Town | None = None,
    village: Village | None = None,
    work_unit: str = "",
    phone: str = "",
    is_demo: bool = False,
) -> StaffPost:
    """Give ``user`` a post: the role's group and object permissions on their town or village only.

    Any reach the user had from an earlier post is withdrawn in the same transaction.
    """
    role = Role(role)
    level = LEVEL_OF_ROLE[role]
    if level == Level.VILLAGE:
        if village is None:
            raise ValidationError({"village": _("A village clerk must be assigned to a village.")})
        town = village.town
    elif level == Level.TOWN:
        if town is None:
            raise ValidationError({"town": _("This role must be assigned to a town.")})
        if village is not None:
            raise ValidationError({"village": _("A town-level post is not tied to one village.")})
    else:
        town = village = None

    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    _withdraw_reach(user)

    post, _created = StaffPost.objects.update_or_create(
        user=user,
        defaults={
            "role": role,
            "town": town,
            "village": village,
            "work_unit": work_unit,
            "phone": phone,
            "is_demo": is_demo,
        },
    )
    user.groups.add(role_group(role))
    # The district office keeps the reference data (towns, villages, calendar, schedules) in the admin.
    if user.is_staff != (role == Role.DISTRICT_OFFICE) and not user.is_superuser:
        user.is_staff = role == Role.DISTRICT_OFFICE
        user.save(update_fields=["is_staff"])
    if level == Level.TOWN:
        for perm in TOWN_PERMS:
            assign_perm(perm, user, town)
    elif level == Level.VILLAGE:
        for perm in VILLAGE_PERMS:
            assign_perm(perm, user, village)
    return post


@transaction.atomic
def staff_post_withdraw(*, user: User) -> None:
    """Take the post and every town or village permission away from ``user``."""
    _withdraw_reach(user)
    StaffPost.objects.filter(user=user).delete()


def _withdraw_reach(user: User) -> None:
    TownUserObjectPermission.objects.filter(user=user).delete()
    VillageUserObjectPermission.objects.filter(user=user).delete()
    user.groups.remove(*Group.objects.filter(name__startswith="role:"))


def role_groups_sync() -> None:
    """Give each role's group the model permissions listed in ``ROLE_MODEL_PERMISSIONS``."""
    for role in Role:
        group = role_group(role)
        wanted = Permission.objects.none()
        for app_label, model_names, actions in ROLE_MODEL_PERMISSIONS.get(role, []):
            codenames = [f"{action}_{model}" for model in model_names for action in actions]
            wanted |= Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.set(wanted)
