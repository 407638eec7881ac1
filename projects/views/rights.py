"""Placeholder until the rights pages land."""

urlpatterns = []
