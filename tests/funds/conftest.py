"""Fixtures of the funds tests. The ``english`` marker (English UI text) is defined in tests/conftest.py."""

import pytest

from tests.factories.funds import ChainPeople


@pytest.fixture
def people(town, village):
    """The town's people along the funds chain, and the district finance bureau (``ChainPeople``)."""
    return ChainPeople.for_town(town, village)
