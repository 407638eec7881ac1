"""Measure the household roster export against a raw openpyxl write-only loop of the same rows, in the same run.

    python manage.py benchmark_export --households 20000

A generated town (its households and members, three to a household) is written inside a transaction rolled back
at the end, and the files are deleted: the database is left as it was found. "Export" is the whole job a worker runs
(``organisation.export_services.export_job_run`` of the roster kind of the list export kit: the scoped query, the
register form's words, the printing layout, the file kept with its SHA-256); "raw" reads the same rows with the
same query and appends them as they come to a write-only workbook. Each is timed three times, alternating, and the
best of each is compared: the goal is raw / export >= 0.8.
"""

import datetime as dt
import random
import tempfile
import time
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from openpyxl import Workbook

from households import exports
from households.choices import HouseholdAttribute, IdentificationStandard, LabourAbility, PovertyCause, Relation, Sex
from households.id_numbers import id_check_character
from households.list_exports import ROSTER
from households.models import Household, Member
from households.selectors.households import household_list
from organisation.export_services import export_job_create, export_job_run
from organisation.models import District, ExportJob, Town, TownKind, Village

GOAL = 0.8
VILLAGES = 20


def _rows(user, town):
    """The roster's rows of the town, as tuples of its columns' fields: the same query the export reads."""
    fields = [column.value for column in exports.roster_columns()]
    return exports.roster_members(household_list(user=user, town_id=town.pk)).values_list(*fields)


class Rollback(Exception):
    """Raised at the end of the measured block so that everything it wrote is rolled back."""


class Command(BaseCommand):
    help = "Time the household roster export against a raw openpyxl write-only loop of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=20000)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--seed", type=int, default=2014)

    def say(self, text=""):
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, households, rounds, seed, **options):
        random.seed(seed)
        try:
            with transaction.atomic():
                town, user = self._town(households)
                members = Member.objects.filter(household__village__town=town).count()
                self.say(f"Generated: {households:,} households, {members:,} member rows")
                raw, ours = [], []
                for _round in range(rounds):
                    raw.append(self._raw(user, town))
                    ours.append(self._export(user, town))
                    self.say(f"  round {_round + 1}: raw {raw[-1]:.2f} s, export {ours[-1]:.2f} s")
                started = time.perf_counter()
                for _row in _rows(user, town).iterator(5000):
                    pass
                self.say(f"  (reading the rows alone, in both: {time.perf_counter() - started:.2f} s)")
                best_raw, best_ours = min(raw), min(ours)
                ratio = best_raw / best_ours
                self.say(
                    f"raw openpyxl write-only loop: {best_raw:.2f} s ({members / best_raw:,.0f} rows/s)\n"
                    f"roster export job:            {best_ours:.2f} s ({members / best_ours:,.0f} rows/s)\n"
                    f"ratio (raw / export): {ratio:.2f}x  (goal >= {GOAL}x: {'met' if ratio >= GOAL else 'NOT met'})"
                )
                raise Rollback
        except Rollback:
            pass

    def _town(self, households: int):
        district = District.objects.get_or_create(code="371302", defaults={"name": "兰山区"})[0]
        code = f"98{uuid.uuid4().int % 10**7:07d}"
        town = Town.objects.create(district=district, name="导出基准镇", kind=TownKind.TOWN, code=code)
        villages = Village.objects.bulk_create(
            Village(town=town, name=f"导出基准{index:02d}村", code=f"{code}{index:03d}") for index in range(VILLAGES)
        )
        causes = list(PovertyCause.values)
        rows = Household.objects.bulk_create(
            (
                Household(
                    file_number=f"{code}{number:07d}",
                    village=villages[number % VILLAGES],
                    group=f"第{number % 9 + 1}村民小组",
                    identification_standard=IdentificationStandard.NATIONAL,
                    attribute=HouseholdAttribute.ORDINARY,
                    main_cause=(picked := random.sample(causes, 3))[0],
                    other_causes=picked[1:],
                    year_identified=2014 + number % 5,
                    phone=f"138{number:08d}",
                )
                for number in range(households)
            ),
            batch_size=5000,
        )
        relations = (Relation.HEAD, Relation.SPOUSE, Relation.SON)
        members = []
        serial = 0
        for household in rows:
            for relation in relations:
                serial += 1
                born = dt.date(1950, 1, 1) + dt.timedelta(days=serial // 1000)
                order = f"{serial % 1000:03d}"
                body = f"{code[-6:]}{born:%Y%m%d}{order}"
                body = f"37{body[2:]}"
                members.append(
                    Member(
                        household=household,
                        name=f"成员{serial}",
                        id_number=body + id_check_character(body),
                        relation=relation,
                        sex=Sex.MALE if int(order) % 2 else Sex.FEMALE,
                        birth_date=born,
                        labour_ability=LabourAbility.ORDINARY,
                    )
                )
        Member.objects.bulk_create(members, batch_size=5000)
        user = get_user_model().objects.create(username=f"benchmark-export-{code}", is_superuser=True)
        return town, user

    @staticmethod
    def _raw(user, town) -> float:
        started = time.perf_counter()
        rows = _rows(user, town)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("raw")
        for row in rows.iterator(chunk_size=5000):
            sheet.append([",".join(value) if isinstance(value, list) else value for value in row])
        with tempfile.TemporaryFile() as stream:
            workbook.save(stream)
        return time.perf_counter() - started

    @staticmethod
    def _export(user, town) -> float:
        job = export_job_create(user=user, kind=ROSTER.kind, filters={"town": str(town.pk)})
        started = time.perf_counter()
        job = export_job_run(job_id=job.pk)
        seconds = time.perf_counter() - started
        assert job.status == "done", job.failure
        job.file.storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).delete()
        return seconds
