"""The households app's list exports (``organisation.exports``): the roster, in the import template's columns."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from households.exports import roster_columns, roster_members
from households.models import IdNumberReveal
from households.models.quality import ProblemClass
from households.permissions import CADRE_VIEWERS, may_reveal_id_numbers
from households.selectors.households import household_filters, household_list
from households.selectors.lifecycle import cadres_search
from organisation.exports import DATETIME, NUMBER, Column, ListExport, choice_words, register


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
        sort_through="household__",
        sort_renamed={"member_count": "household_member_count"},
    )
)


def _rule_words(context):
    from households.quality_rules import RULES

    words = {rule.code: str(rule.label) for rule in RULES}
    return lambda code: words.get(code, code)


def _problem_state_words(context):
    resolved, open_ = _("Resolved"), _("Open")
    return lambda resolved_at: open_ if resolved_at is None else resolved


def problem_rows(user, params):
    """The data-quality problems the problem list shows for ``params`` (its query string)."""
    from households.views.quality import quality_problems_filtered

    return quality_problems_filtered(user, params)[1]


def problem_columns():
    return [
        Column(_("Town or street"), "town__name", 12),
        Column(_("Village"), "household__village__name", 14),
        Column(_("Household"), "household__file_number", 20),
        Column(_("Member"), "member__name", 10),
        Column(_("Class"), "problem_class", 14, words=choice_words(ProblemClass)),
        Column(_("Rule"), "rule", 30, words=_rule_words),
        Column(_("Detail"), "detail", 50),
        Column(_("First found"), "first_found_at", 17, kind=DATETIME),
        Column(_("State"), "resolved_at", 8, words=_problem_state_words),
        Column(_("resolved at"), "resolved_at", 17, kind=DATETIME),
    ]


register(
    ListExport(
        kind="households.problems",
        title=gettext_lazy("Data-quality problems"),
        rows=problem_rows,
        columns=problem_columns,
        list_url="households:quality_problems",
        filename="quality-problems",
    )
)


def cadre_rows(user, params):
    """The cadres the cadre list shows for ``params`` (its search)."""
    return cadres_search(user=user, query=params.get("q", ""))


def cadre_columns():
    return [
        Column(pgettext("person", "Name"), "name", 10),
        Column(_("Work unit"), "work_unit", 30),
        Column(_("Phone"), "phone", 14),
        Column(_("Households helped"), "households_helped", 10, kind=NUMBER),
    ]


register(
    ListExport(
        kind="households.cadres",
        title=gettext_lazy("Assistance cadres"),
        rows=cadre_rows,
        columns=cadre_columns,
        list_url="households:cadre_list",
        roles=CADRE_VIEWERS,
        filename="cadres",
    )
)
