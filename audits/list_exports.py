"""The audits app's list exports (``organisation.exports``): the rectification ledger (整改台账)."""

from django.utils.translation import gettext_lazy

from audits.exports import ledger_columns
from audits.selectors.ledger import ledger_export_rows
from audits.views.ledger import ledger_filtered
from organisation.exports import ListExport, register


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
