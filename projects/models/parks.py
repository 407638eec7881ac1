"""Poverty-alleviation industrial parks: "三年内每个镇街道建有1处扶贫产业园" (point 1)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history
from organisation.models import Town


@track_history()
class IndustrialPark(models.Model):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="industrial_parks", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=200)
    established_on = models.DateField(_("established on"))
    area_mu = models.DecimalField(_("area (mu)"), max_digits=10, decimal_places=2, null=True, blank=True)
    leading_industry = models.CharField(_("leading industry"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("industrial park")
        verbose_name_plural = _("industrial parks")
        ordering = ["town", "name"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="park_name_unique_in_town")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:park_detail", args=[self.pk])
