"""Placeholder until the parks pages land."""

urlpatterns = []
