"""The load test's users (``bin/loadtest`` runs it): a district office user, town staff and a village clerk, each
opening the pages of their role in ``manage.py loadtest_plan``'s plan (LOADTEST_PLAN, default var/loadtest/plan.json).

Each simulated user sends its role's session cookie (no login is timed), then picks one of its role's pages at random,
a detail page on a random record of the plan's sample, and waits 1-4 s as a person reading the page would. The export
is a POST with Django's CSRF cookie and header (the double-submit check); its answer is the redirect to the job's
page (302), the job itself waits for a worker. A request is a failure when its status is not the one expected.
"""

import json
import os
import random
import secrets
from pathlib import Path

from locust import FastHttpUser, between, task

PLAN = json.loads(Path(os.environ.get("LOADTEST_PLAN", "var/loadtest/plan.json")).read_text())


class _Role(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 4)

    def on_start(self):
        plan = PLAN["roles"][self.role]
        self.pages = plan["pages"]
        self.csrf = secrets.token_hex(16)
        self.cookies = f"sessionid={plan['session']}; csrftoken={self.csrf}"

    @task
    def open_a_page(self):
        page = random.choice(self.pages)
        name = f"{page['name']} ({self.role})"
        url = random.choice(page["urls"])
        headers = {**page["headers"], "Cookie": self.cookies}
        if page["method"] == "POST":
            headers["X-CSRFToken"] = self.csrf
            headers["Referer"] = self.host + url
            request = self.client.post
        else:
            request = self.client.get
        with request(url, name=name, headers=headers, allow_redirects=False, catch_response=True) as response:
            if response.status_code != page["expect"]:
                response.failure(f"{response.status_code} instead of {page['expect']}")
            else:
                response.success()


class DistrictOffice(_Role):
    role = "district office"
    weight = 1


class TownStaff(_Role):
    role = "town staff"
    weight = 2


class VillageClerk(_Role):
    role = "village clerk"
    weight = 2
