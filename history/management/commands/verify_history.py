from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils.translation import gettext as _

from history.verify import history_chain_summary, history_check


class Command(BaseCommand):
    help = (
        "Re-check every history entry against its seal, the seal chain, the signed checkpoints and their schedule, "
        "the live rows against their latest history entries, and the anchor file (HISTORY_ANCHOR_PATH)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--restored",
            action="store_true",
            help=(
                "the database is a restored backup: judge the checkpoints' schedule by the data's own newest time, "
                "and pass over anchored heads newer than its chain"
            ),
        )

    def handle(self, *args, restored=False, **options):
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                # One snapshot for the summary and every check, so concurrent writers cannot skew them.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            summary = history_chain_summary()
            problems = history_check(restored=restored)

        self.stdout.write(
            _("Checked %(events)s history entries and %(seals)s seals; %(checkpoints)s checkpoints.")
            % {"events": summary.events, "seals": summary.seals, "checkpoints": summary.checkpoints}
        )
        self.stdout.write(
            _("Chain head: seal #%(seal)s, digest %(digest)s")
            % {"seal": summary.head_seal_id or "—", "digest": summary.head_digest or "—"}
        )
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            self.stderr.write(_("%(count)s problems found.") % {"count": len(problems)})
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(_("No problems found.")))
