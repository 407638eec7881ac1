"""Exports of the household file. ID numbers follow the same rule as on screen: masked, unless the
user's role may see them and they asked for it, and then the export is logged as a reveal."""

import io

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from households.id_numbers import id_number_mask
from households.models import IdNumberReveal, Member
from households.permissions import may_reveal_id_numbers


def households_workbook(households: QuerySet, *, user, full_ids: bool, context: str) -> bytes:
    """One row per member of the given (already scoped) households, streamed into an xlsx."""
    full_ids = full_ids and may_reveal_id_numbers(user)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Households"))
    sheet.append(
        [
            _("file number"), _("town"), _("village"), _("status"), _("main poverty cause"), _("year identified"),
            _("name"), _("relation to the head"), _("resident ID number"), _("sex"), _("birth date"),
        ]
    )  # fmt: skip
    members = (
        Member.objects.filter(household__in=households.values("pk"))
        .select_related("household__village__town")
        .order_by("household__file_number", "id")
    )
    count = 0
    for member in members.iterator(chunk_size=2000):
        household = member.household
        sheet.append(
            [
                household.file_number,
                household.village.town.name,
                household.village.name,
                household.get_status_display(),
                household.get_main_cause_display(),
                household.year_identified,
                member.name,
                member.get_relation_display(),
                member.id_number if full_ids else id_number_mask(member.id_number),
                member.get_sex_display(),
                member.birth_date,
            ]
        )
        count += 1
    if full_ids:
        note = _("export of %(count)d members with full ID numbers: %(where)s") % {"count": count, "where": context}
        IdNumberReveal.objects.create(user=user, member=None, context=note[:200])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
