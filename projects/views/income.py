"""Placeholder until the income pages land."""

urlpatterns = []
