"""Education (point 11): aid to students, left-behind children, care rooms."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from households.models.household import Member
from organisation.models import Village
from organisation.money import MONEY


@track_history()
class EducationAid(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="education_aid", verbose_name=_("student")
    )
    year = models.PositiveSmallIntegerField(_("school year (start)"))
    kind = models.CharField(_("kind of aid"), max_length=50)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("education aid")
        verbose_name_plural = _("education aid")
        ordering = ["member", "-year"]
        constraints = [models.CheckConstraint(name="education_aid_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.member} {self.year} {self.kind}"


@track_history()
class LeftBehindChild(models.Model):
    """留守儿童: the child's personal file and contact card."""

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="left_behind_file", verbose_name=_("child")
    )
    guardian_name = models.CharField(_("guardian"), max_length=50)
    guardian_relation = models.CharField(_("guardian's relation to the child"), max_length=20)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=20)
    parents_working_in = models.CharField(_("where the parents work"), max_length=100, blank=True)
    contact_card_number = models.CharField(_("contact card number"), max_length=30, blank=True)
    contact_card_issued_on = models.DateField(_("contact card issued on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("left-behind child file")
        verbose_name_plural = _("left-behind child files")

    def __str__(self):
        return str(self.member)


@track_history()
class CareRoom(models.Model):
    """留守儿童关爱室: point 11 wants one in every key village."""

    village = models.OneToOneField(
        Village, on_delete=models.PROTECT, related_name="care_room", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    keeper = models.CharField(_("person in charge"), max_length=50, blank=True)
    opened_on = models.DateField(_("opened on"))

    class Meta:
        verbose_name = _("care room")
        verbose_name_plural = _("care rooms")

    def __str__(self):
        return self.name
