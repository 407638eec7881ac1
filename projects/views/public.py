"""Placeholder until the public pages land."""

urlpatterns = []
