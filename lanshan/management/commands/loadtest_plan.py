"""The plan of the load test (``bin/loadtest``, ``loadtest/locustfile.py``): its users, their sessions, the pages each
role asks for, and the SQL queries each page makes.

    bin/loadtest                                   # on the province: DATABASE_URL names it (generate_province)
    python manage.py loadtest_plan --out var/loadtest/plan.json

Three users are made once (kept for the next run): a district office user, a town staff user of the town with the
most households and a village clerk of that town's largest village, each signed in with a session of its own (the
load test sends the session cookie, so no password hashing is timed). Each role's pages are the dashboards it opens,
the four main lists (households, transfers, projects, ledger), a detail page of each (a sample of records in the
role's reach, one picked at random each time) and the POST that asks for an export of the households list (the job
itself runs on a worker). A page the role may not open (not 200) is left out and said so.

The SQL queries of each page are counted here, with Django's test client and ``CaptureQueriesContext``, twice: a list
on its first and second page, a detail page on two records, the other pages twice; a count that grows with the data
(an N+1) shows as two different numbers.
"""

import json
import random
import time
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from audits.models import RectificationItem
from funds.models import Transfer
from households.models import Household
from households.views.core import detail_sections_all
from organisation.models import StaffPost, Town, Village
from organisation.roles import Role
from organisation.services import staff_post_assign
from projects.models import IndustryProject

SAMPLE = 40  # records per detail page to pick from
EXPORT_KIND = "households.roster"


class Command(BaseCommand):
    help = (
        "Make the load test's users and sessions, list the pages each role asks for, count each page's SQL queries "
        "(twice: two pages or two records) and write it all as JSON for loadtest/locustfile.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", default="var/loadtest/plan.json", help="the plan's JSON file")
        parser.add_argument("--seed", type=int, default=1, help="seed of the sample of records")

    def say(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, out, seed, **options):
        town, village = self._units()
        self.say(f"Town {town.name} (id {town.pk}), village {village.name} (id {village.pk})")
        users = {
            "district office": self._user("loadtest-district-office", Role.DISTRICT_OFFICE),
            "town staff": self._user("loadtest-town-staff", Role.TOWN_STAFF, town=town),
            "village clerk": self._user("loadtest-village-clerk", Role.VILLAGE_CLERK, village=village),
        }
        sampler = random.Random(seed)
        plan = {"database": connection.settings_dict["NAME"], "roles": {}}
        with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS], SECURE_SSL_REDIRECT=False):
            for role, user in users.items():
                client = Client()
                client.force_login(user)
                pages = []
                for page in self._pages(role, town, village, sampler):
                    measured = self._measure(client, page)
                    if measured is None:
                        continue
                    pages.append(measured)
                    self.say(
                        f"  {role:<16} {page['name']:<22} queries {measured['queries']}, "
                        f"alone {measured['alone_ms']} ms"
                    )
                plan["roles"][role] = {"session": client.cookies[settings.SESSION_COOKIE_NAME].value, "pages": pages}
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(plan, ensure_ascii=False, indent=1))
        self.say(f"Plan written to {path}")

    @staticmethod
    def _units() -> tuple[Town, Village]:
        """The town with the most households and its largest village."""
        row = (
            Household.objects.values("village__town", "village")
            .annotate(households=Count("id"))
            .order_by("-households", "village")
            .first()
        )
        if row is None:
            raise CommandError("The database holds no households: run generate_province first.")
        village = Village.objects.select_related("town").get(pk=row["village"])
        return village.town, village

    @staticmethod
    def _user(username: str, role: Role, town: Town | None = None, village: Village | None = None) -> User:
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@load.example"})
        if created or not StaffPost.objects.filter(user=user).exists():
            staff_post_assign(user=user, role=role, town=town, village=village)
        return user

    @staticmethod
    def _sample(queryset, sampler: random.Random) -> list[int]:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        return sorted(sampler.sample(ids, min(SAMPLE, len(ids))))

    def _pages(self, role: str, town: Town, village: Village, sampler: random.Random) -> list[dict]:
        """Each page: its name, its URLs (a list, the detail pages one per record) and its method."""
        if role == "district office":
            reach: dict = {}
            dashboards = [
                ("dashboard", "reporting:dashboard", []),
                ("dashboard actions", "reporting:dashboard_actions", []),
            ]
            export_filter = f"?town={town.pk}"
        elif role == "town staff":
            reach = {"town": town}
            dashboards = [
                ("town dashboard", "reporting:dashboard_town", [town.pk]),
                ("town actions", "reporting:dashboard_town_actions", [town.pk]),
                ("village dashboard", "reporting:dashboard_village", [village.pk]),
            ]
            export_filter = f"?village={village.pk}"
        else:
            reach = {"village": village}
            dashboards = [
                ("village dashboard", "reporting:dashboard_village", [village.pk]),
                ("village actions", "reporting:dashboard_village_actions", [village.pk]),
            ]
            export_filter = f"?village={village.pk}"
        households = Household.objects.filter(
            **({"village": village} if "village" in reach else {"village__town": town} if reach else {})
        )
        projects = IndustryProject.objects.filter(
            **({"villages": village} if "village" in reach else {"town": town} if reach else {})
        )
        pages = [{"name": name, "urls": [reverse(url, args=args)]} for name, url, args in dashboards]
        for name, detail, list_url, detail_url, queryset in (
            ("households", "household", "households:household_list", "households:household_detail", households),
            (
                "transfers",
                "transfer",
                "funds:transfer_list",
                "funds:transfer_detail",
                Transfer.objects.filter(**reach),
            ),
            ("projects", "project", "projects:project_list", "projects:project_detail", projects),
            (
                "ledger",
                "ledger item",
                "audits:item_list",
                "audits:item_detail",
                RectificationItem.objects.filter(**reach),
            ),
        ):
            listed = reverse(list_url)
            pages.append({"name": f"{name} list", "urls": [listed], "second": f"{listed}?page=2"})
            ids = self._sample(queryset, sampler)
            if ids:
                pages.append({"name": f"{detail} detail", "urls": [reverse(detail_url, args=[pk]) for pk in ids]})
            if ids and detail == "household":
                # The household page loads each tab when it is first shown: a tab at random, on a record at random
                # (the first two URLs, whose queries are counted, are one tab on two records).
                keys = [section.key for section in detail_sections_all()]
                pages.append(
                    {
                        "name": "household tab",
                        "urls": [reverse("households:household_tab", args=[pk, key]) for key in keys for pk in ids],
                        # As htmx asks for it (opened as a page, a tab sends to the household page).
                        "headers": {"HX-Request": "true"},
                    }
                )
        export = reverse("organisation:export_ask", args=[EXPORT_KIND]) + export_filter
        pages.append({"name": "export (POST)", "urls": [export], "method": "POST", "expect": 302})
        return pages

    def _measure(self, client: Client, page: dict) -> dict | None:
        """The page with the queries of its first and second URL (or page), or None (said) when it is not open."""
        method = page.get("method", "GET")
        expect = page.get("expect", 200)
        headers = page.get("headers") or {}
        ask = partial(client.post if method == "POST" else client.get, headers=headers)
        first = page["urls"][0]
        second = page.get("second") or page["urls"][min(1, len(page["urls"]) - 1)]
        response = ask(first)  # warms the caches (templates, translations)
        if response.status_code != expect:
            self.say(f"  left out: {page['name']} {first} answered {response.status_code}")
            return None
        if page.get("second") and ask(second).status_code == 404:
            second = first  # a list of one page
        counts, times = [], []
        for url in (first, second):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = ask(url)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != expect:
                self.say(f"  left out: {page['name']} {url} answered {response.status_code}")
                return None
            counts.append(len(queries))
        # Alone: the page on its own, through the test client (no HTTP, no other request), the faster of the two.
        return {
            **page,
            "method": method,
            "expect": expect,
            "headers": headers,
            "queries": counts,
            "alone_ms": round(min(times)),
        }
