"""The organisation tree (District -> Town -> Village) and the post each user holds in it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from history.tracking import track_history
from organisation.roles import LEVEL_OF_ROLE, Level, Role


@track_history()
class District(models.Model):
    name = models.CharField(_("name"), max_length=50)
    code = models.CharField(_("division code"), max_length=12, unique=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


class TownKind(models.TextChoices):
    TOWN = "town", _("Town")
    STREET = "street", _("Street")
    DEVELOPMENT_ZONE = "development_zone", _("Development zone")


@track_history()
class Town(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="towns", verbose_name=_("district"))
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=TownKind.choices)
    code = models.CharField(_("division code"), max_length=12, unique=True)

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="town_unique_name_in_district"),
        ]
        # Granted per town by django-guardian (TownUserObjectPermission), never per record.
        permissions = [
            ("view_town_records", _("Can view the records of this town")),
            ("change_town_records", _("Can change the records of this town")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation:town_detail", args=[self.pk])


@track_history()
class Village(models.Model):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="villages", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=50)
    code = models.CharField(_("division code"), max_length=15, unique=True)
    is_key_village = models.BooleanField(
        _("key poverty-alleviation village"),
        default=False,
        help_text=_("A poor village that gets a first secretary and, by point 11, a left-behind children care room."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="village_unique_name_in_town"),
        ]
        permissions = [
            ("view_village_records", _("Can view the records of this village")),
            ("change_village_records", _("Can change the records of this village")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation:village_detail", args=[self.pk])


# Direct foreign-key permission tables: guardian then filters with a join on these tables instead
# of building IN lists over a generic object_pk column.
class TownUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Town, on_delete=models.CASCADE)


class TownGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Town, on_delete=models.CASCADE)


class VillageUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Village, on_delete=models.CASCADE)


class VillageGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Village, on_delete=models.CASCADE)


@track_history()
class StaffPost(models.Model):
    """The one post a user holds: their role and the town or village it is in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_post", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, null=True, blank=True, related_name="staff_posts", verbose_name=_("town")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="staff_posts", verbose_name=_("village")
    )
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        verbose_name = _("staff post")
        verbose_name_plural = _("staff posts")
        constraints = [
            # A district post has no town, a town post names its town, a village post its village
            # (and the village's town, so town-level lists can find the clerk).
            models.CheckConstraint(
                name="staff_post_place_matches_level",
                condition=(
                    models.Q(
                        role__in=[r for r, lvl in LEVEL_OF_ROLE.items() if lvl == Level.DISTRICT],
                        town__isnull=True,
                        village__isnull=True,
                    )
                    | models.Q(
                        role__in=[r for r, lvl in LEVEL_OF_ROLE.items() if lvl == Level.TOWN],
                        town__isnull=False,
                        village__isnull=True,
                    )
                    | models.Q(
                        role__in=[r for r, lvl in LEVEL_OF_ROLE.items() if lvl == Level.VILLAGE],
                        town__isnull=False,
                        village__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self):
        place = self.village or self.town or _("District")
        return f"{self.user} · {self.get_role_display()} · {place}"

    @property
    def level(self) -> str:
        return LEVEL_OF_ROLE[Role(self.role)]
