"""The five-household cap holds when two people assign the same cadre at the same moment."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import translation

from households.models import Cadre, CadreAssignment
from households.services.lifecycle import cadre_assign
from organisation.roles import Role
from tests.factories.households import HouseholdFactory

START = dt.date(2018, 6, 1)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_assignments_of_a_cadre_helping_four_let_exactly_one_through(make_user, village):
    # given a cadre who helps four households, and two households with no cadre
    cadre = Cadre.objects.create(name="刘洋", work_unit="区财政局", phone="13800000001")
    for n in range(4):
        CadreAssignment.objects.create(
            household=HouseholdFactory(village=village, file_number=f"F{n}"), cadre=cadre, starts_on=START
        )
    first, second = (
        HouseholdFactory(village=village, file_number="A"),
        HouseholdFactory(village=village, file_number="B"),
    )
    office, staff = make_user(Role.DISTRICT_OFFICE), make_user(Role.TOWN_STAFF, town=village.town)
    start_together = threading.Barrier(2, timeout=10)
    outcomes = {}

    def assign(user, household):
        # each thread has its own connection, so its own transaction
        try:
            with translation.override("en"):
                start_together.wait()
                cadre_assign(user=user, household=household, cadre=cadre, starts_on=START)
            outcomes[household.file_number] = "assigned"
        except ValidationError as error:
            outcomes[household.file_number] = error.message_dict["cadre"][0]
        finally:
            connections.close_all()

    # when two people assign the cadre to the two households at once
    threads = [
        threading.Thread(target=assign, args=(office, first)),
        threading.Thread(target=assign, args=(staff, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then exactly one assignment went through; the other was refused naming the cadre and its five
    assert sorted(outcomes) == ["A", "B"]
    assigned = [number for number, outcome in outcomes.items() if outcome == "assigned"]
    assert len(assigned) == 1
    [refusal] = [outcome for outcome in outcomes.values() if outcome != "assigned"]
    assert refusal.startswith("刘洋（区财政局） already helps 5 households")
    assert all(number in refusal for number in ["F0", "F1", "F2", "F3", assigned[0]])
    assert CadreAssignment.objects.filter(cadre=cadre, released_on=None).count() == 5
