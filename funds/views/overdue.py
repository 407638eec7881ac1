"""Placeholder until the overdue pages land."""

urlpatterns = []
