"""Placeholder until the enterprises pages land."""

urlpatterns = []
