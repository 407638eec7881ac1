from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation and calendar")

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_sync_role_groups, sender=self)
        # Each app declares the exports of its lists in its own list_exports module (organisation.exports).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("list_exports")


def _sync_role_groups(**kwargs):
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from organisation.services import role_groups_sync

    # Apps after this one in INSTALLED_APPS get their permissions later in the same signal round.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    role_groups_sync()
