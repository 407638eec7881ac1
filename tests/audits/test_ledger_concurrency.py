"""Two verifiers closing off the same item at the same moment: one close-off, one look-back."""

import pytest

from audits.choices import ItemStatus
from audits.models import LookBack, RectificationItem
from audits.services import ledger
from organisation.roles import Role
from tests.concurrency import run_together
from tests.factories.audits import item_requested


@pytest.mark.django_db(transaction=True)
def test_two_verifiers_at_once_close_the_item_off_once(make_user, town):
    # given an item the town asked to be closed off, and two district office users
    staff = make_user(Role.TOWN_STAFF, town=town)
    item = item_requested(staff, town)
    first, second = make_user(Role.DISTRICT_OFFICE), make_user(Role.DISTRICT_OFFICE)

    # when both verify it at the same moment
    outcomes = run_together(
        lambda: ledger.close_off_verify(user=first, item=item, approve=True),
        lambda: ledger.close_off_verify(user=second, item=item, approve=True),
    )

    # then one closes it off and the other is told it no longer waits; one look-back is scheduled
    assert sorted(outcomes) == ["This item is not waiting for its close-off to be verified.", "done"]
    item = RectificationItem.objects.get(pk=item.pk)
    assert item.status == ItemStatus.CLOSED and item.closed_by in (first, second)
    assert LookBack.objects.filter(item=item).count() == 1
