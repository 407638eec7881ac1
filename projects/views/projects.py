"""Placeholder until the projects pages land."""

urlpatterns = []
