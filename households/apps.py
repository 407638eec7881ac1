from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Registered poor households")

    def ready(self):
        # Registers the History tab's reader of an import's rows (history.bulk.bulk_row_reader).
        from households.importing import history  # noqa: F401
