from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lanshan.backups import BackupError, backup_list, backup_make


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the media files now, as the nightly job does."

    def handle(self, *args, **options):
        try:
            backup = backup_make()
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Backup written: %(path)s") % {"path": backup.path})
        self.stdout.write(
            _("%(count)s backups kept: %(names)s")
            % {"count": len(kept := backup_list()), "names": ", ".join(item.name for item in kept)}
        )
