"""The audits app's list exports (``organisation.exports``): the rectification ledger (整改台账) and the supervision
plan."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.choices import Quarter, SubjectKind, SupervisionBody
from audits.exports import ledger_columns
from audits.selectors.ledger import ledger_export_rows
from audits.selectors.plans import plan_list
from audits.views.ledger import ledger_filtered
from funds.choices import Hop
from organisation.exports import DATE, NUMBER, Column, ListExport, choice_words, register
from projects.models import Category as ProjectCategory


def ledger_items(user, params):
    """The ledger list's items for ``params`` (its query string), as the sheet's values."""
    return ledger_export_rows(ledger_filtered(user, params)[1])


register(
    ListExport(
        kind="audits.ledger",
        title=gettext_lazy("Lanshan District poverty-alleviation problem rectification ledger"),
        rows=ledger_items,
        columns=ledger_columns,
        list_url="audits:item_list",
        filename="ledger",
    )
)


def supervision_plan_rows(user, params):
    """The supervision plan's inspections and audits of the year the page shows for ``params``."""
    from audits.views.plans import year_of

    return plan_list(user=user, year=year_of(params))


def _subject(context):
    kinds = {value: str(label) for value, label in SubjectKind.choices}
    hops = {value: str(label) for value, label in Hop.choices}
    categories = {value: str(label) for value, label in ProjectCategory.choices}

    def subject(plan) -> str:
        if plan.subject_kind == "town":
            return plan.town.name if plan.town_id else ""
        if plan.subject_kind == "fund_flow":
            return hops.get(plan.hop, plan.hop)
        if plan.subject_kind == "project_category":
            return categories.get(plan.project_category, plan.project_category)
        return kinds.get(plan.subject_kind, plan.subject_kind)

    return subject


def _done(context):
    done, not_yet = _("Done"), _("Not yet")
    return lambda count: done if count else not_yet


def supervision_plan_columns():
    return [
        Column(_("quarter"), "quarter", 10, words=choice_words(Quarter)),
        Column(_("title"), "title", 36),
        Column(_("body"), "body", 16, words=choice_words(SupervisionBody)),
        Column(_("subject"), lambda plan: plan, 16, words=_subject),
        Column(_("Done"), "engagement_count", 8, words=_done),
    ]


register(
    ListExport(
        kind="audits.plans",
        title=gettext_lazy("Supervision plan"),
        rows=supervision_plan_rows,
        columns=supervision_plan_columns,
        list_url="audits:plan_list",
        filename="supervision-plan",
    )
)


def order_rows(user, params):
    """The supervision orders the order list shows for ``params`` (its query string)."""
    from audits.views.supervision import orders_filtered

    return orders_filtered(user, params)[1]


def _order_number(order) -> str:
    return order.number


def order_columns():
    return [
        Column(_("Number"), _order_number, 14),
        Column(_("Town or street"), "town__name", 12),
        Column(_("addressee"), "addressee", 20),
        Column(_("what is required"), "requirement", 40),
        Column(_("Issued on"), "clock_start", 12, kind=DATE),
        Column(_("Items"), "item_count", 8, kind=NUMBER),
        Column(_("Reply due by"), "due_date", 12, kind=DATE),
        Column(_("replied on"), "replied_on", 12, kind=DATE),
    ]


register(
    ListExport(
        kind="audits.orders",
        title=gettext_lazy("Supervision orders"),
        rows=order_rows,
        columns=order_columns,
        list_url="audits:order_list",
        filename="supervision-orders",
    )
)
