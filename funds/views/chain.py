"""Placeholder until the chain pages land."""

urlpatterns = []
