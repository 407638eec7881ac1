"""Placeholder until the reports pages land."""

urlpatterns = []
