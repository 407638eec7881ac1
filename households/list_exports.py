"""The households app's list exports (``organisation.exports``): the roster, in the import template's columns."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.exports import roster_columns, roster_members
from households.models import IdNumberReveal
from households.permissions import may_reveal_id_numbers
from households.selectors.households import household_filters, household_list
from organisation.exports import ListExport, register


def roster_rows(user, params):
    """The members of the households the list page shows for ``params`` (its query string), in file order."""
    return roster_members(household_list(user=user, **household_filters(params)))


def roster_revealed(job, count: int) -> None:
    """An export with full ID numbers is written down in the reveal log."""
    if job.full_ids and may_reveal_id_numbers(job.owner):
        note = _("export of %(count)d members with full ID numbers: %(where)s") % {
            "count": count,
            "where": f"export {job.pk} {job.filters}",
        }
        IdNumberReveal.objects.create(user=job.owner, member=None, context=note[:200])


ROSTER = register(
    ListExport(
        kind="households.roster",
        title=gettext_lazy("Roster of registered poor households"),
        rows=roster_rows,
        columns=roster_columns,
        list_url="households:household_list",
        full_ids=may_reveal_id_numbers,
        on_done=roster_revealed,
        filename="households",
    )
)
