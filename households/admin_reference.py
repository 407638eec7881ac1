"""The yearly reference data the district office keeps: poverty lines, dibao standards, insurance schemes.

Each list shows, beside every year, the check of point 8 or 9 that the reference data checks page
shows (the rules are in households.selectors.welfare).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from households.models import DibaoStandard, InsuranceScheme, PovertyLine
from households.selectors.welfare import (
    DibaoYearCheck,
    dibao_standards_with_line,
    insurance_schemes_with_previous,
    insurance_year_check,
    poverty_lines_with_standard,
)
from organisation.admin import ReferenceDataAdmin


def _dibao_check_text(check: DibaoYearCheck) -> str:
    if check.flagged:
        return check.message
    return _("above the poverty line") if check.poverty_line is not None else "—"


@admin.register(PovertyLine)
class PovertyLineAdmin(ReferenceDataAdmin):
    list_display = ["year", "amount", "dibao_check"]

    def get_queryset(self, request):
        return poverty_lines_with_standard(super().get_queryset(request))

    @admin.display(description=_("rural dibao standard of the year"))
    def dibao_check(self, obj):
        return _dibao_check_text(
            DibaoYearCheck(year=obj.year, poverty_line=obj.amount, dibao_standard=obj.dibao_standard)
        )


@admin.register(DibaoStandard)
class DibaoStandardAdmin(ReferenceDataAdmin):
    list_display = ["year", "amount", "dibao_check"]

    def get_queryset(self, request):
        return dibao_standards_with_line(super().get_queryset(request))

    @admin.display(description=_("check against the poverty line"))
    def dibao_check(self, obj):
        return _dibao_check_text(
            DibaoYearCheck(year=obj.year, poverty_line=obj.poverty_line, dibao_standard=obj.amount)
        )


@admin.register(InsuranceScheme)
class InsuranceSchemeAdmin(ReferenceDataAdmin):
    list_display = ["year", "per_capita_funding", "funding_check"]

    def get_queryset(self, request):
        return insurance_schemes_with_previous(super().get_queryset(request))

    @admin.display(description=_("check against the previous year"))
    def funding_check(self, obj):
        check = insurance_year_check(obj)
        if check.previous_year is None:
            return "—"
        return check.message if check.flagged else _("not below the previous year")
