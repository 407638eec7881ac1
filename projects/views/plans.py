"""Placeholder until the plans pages land."""

urlpatterns = []
