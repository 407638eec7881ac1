"""Placeholder until the loans pages land."""

urlpatterns = []
