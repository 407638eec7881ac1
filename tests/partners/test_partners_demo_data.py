"""The demo's people and partners load once, quickly, on the demo organisation, and leave a few key villages without
a first secretary for the list to show."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from organisation.demo_data import demo_data_load
from partners.demo_data import demo_partners_load
from partners.models import FirstSecretary, Pairing, TrainingSession
from partners.selectors.people import villages_without_secretary

pytestmark = pytest.mark.django_db


def test_the_demo_partners_load_once_and_leave_some_villages_without_a_secretary():
    # given the demo organisation
    demo_data_load()
    # when the partners are loaded twice
    written = demo_partners_load()
    again = demo_partners_load()
    # then the first load wrote them, the second nothing
    assert written > 100 and again == 0
    # every key village is paired; every sixth has no first secretary yet
    assert FirstSecretary.objects.count() == Pairing.objects.count() - Pairing.objects.count() // 6
    office = get_user_model().objects.get(username="demo_office")
    missing = villages_without_secretary(user=office, day=timezone.localdate())
    assert 0 < missing.count() < Pairing.objects.count()
    assert TrainingSession.objects.count() == 3
