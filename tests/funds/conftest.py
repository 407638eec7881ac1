"""Fixtures of the funds tests. The ``english`` marker (English UI text) is defined in tests/conftest.py."""
