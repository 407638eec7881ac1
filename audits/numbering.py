"""Yearly numbers of ledger items and supervision orders: no gaps between writers, no number given twice.

The counter row of (kind, year) is locked for the rest of the caller's transaction, so two writers taking
numbers at once queue behind each other and a rolled-back write gives its numbers back.
"""

from django.db import transaction
from django.db.models import F

from audits.models import LedgerCounter

ITEM = "item"
ORDER = "order"


def numbers_take(*, kind: str, year: int, count: int = 1) -> range:
    """``count`` consecutive sequence numbers of ``kind`` in ``year``, for use in the caller's transaction."""
    if count < 1:
        return range(0)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers_take must run inside the transaction that uses the numbers.")
    LedgerCounter.objects.get_or_create(kind=kind, year=year)
    counter = LedgerCounter.objects.select_for_update().get(kind=kind, year=year)
    LedgerCounter.objects.filter(pk=counter.pk).update(last=F("last") + count)
    return range(counter.last + 1, counter.last + count + 1)
