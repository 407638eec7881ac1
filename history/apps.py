from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = _("Change history")

    def ready(self):
        from celery.signals import task_postrun, task_prerun

        from history.context import task_context_enter, task_context_exit

        # Every change a Celery task makes names the task in its history context.
        task_prerun.connect(task_context_enter, weak=False, dispatch_uid="history.task_context_enter")
        task_postrun.connect(task_context_exit, weak=False, dispatch_uid="history.task_context_exit")
