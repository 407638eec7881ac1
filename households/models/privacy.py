"""Personal data: every deliberate reveal of a full resident ID number is written down."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from households.models.household import Member


@track_history()
class IdNumberReveal(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, related_name="id_reveals", verbose_name=_("member")
    )
    context = models.CharField(_("where"), max_length=200)
    revealed_at = models.DateTimeField(_("revealed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ID number reveal")
        verbose_name_plural = _("ID number reveals")
        ordering = ["-revealed_at"]

    def __str__(self):
        return f"{self.user} {self.member_id} {self.revealed_at:%Y-%m-%d %H:%M}"
