"""The generated district every benchmark command stands on: towns, their villages, and posted users.

Each benchmark generates inside a transaction it rolls back; the names carry a random part so that a benchmark
run on a database that holds other data (the demo, another run) never collides with it.
"""

import math
import statistics
import time
import uuid

from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from organisation.models import District, Town, TownKind, Village
from organisation.roles import Role
from organisation.services import staff_post_assign


def benchmark_district(
    *, towns: int, villages_per_town: int, prefix: str
) -> tuple[list[Town], dict[int, list[Village]]]:
    """``towns`` towns of Lanshan District with codes starting ``prefix``, and ``villages_per_town`` villages each
    (by town id)."""
    district = District.objects.get_or_create(code="371302", defaults={"name": "兰山区"})[0]
    created = Town.objects.bulk_create(
        Town(district=district, name=f"基准{prefix}镇{index:02d}", kind=TownKind.TOWN, code=f"{prefix}{index:03d}")
        for index in range(towns)
    )
    villages = {
        town.pk: Village.objects.bulk_create(
            Village(town=town, name=f"基准{index:02d}村", code=f"{town.code}{index:03d}")
            for index in range(villages_per_town)
        )
        for town in created
    }
    return created, villages


def benchmark_prefix(first_digits: str) -> str:
    """Six digits of town code: ``first_digits`` and a random rest, so two runs never share a code."""
    return f"{first_digits}{uuid.uuid4().int % 10**4:04d}"


def benchmark_user(name: str, role: Role, town: Town | None = None, village: Village | None = None) -> User:
    """A user of a unique name holding the post ``role`` (in ``town`` for a town role, ``village`` for a village
    role)."""
    user = User.objects.create(username=f"benchmark-{uuid.uuid4().hex[:8]}-{name}", email=f"{name}@benchmark.example")
    staff_post_assign(user=user, role=role, town=town, village=village)
    return user


def page_measure(url: str, user: User, query: dict, *, requests: int) -> tuple[float, int]:
    """The median time of ``requests`` GETs of ``url`` as ``user`` (after one that warms the caches: templates,
    translations) and the number of queries one GET makes."""
    timings, queries = page_timings(url, user, query, requests=requests)
    return statistics.median(timings), queries


def percentile(timings: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest time that ``share`` of the requests took no longer than."""
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def page_timings(url: str, user: User, query: dict, *, requests: int) -> tuple[list[float], int]:
    """The time of each of ``requests`` GETs of ``url`` as ``user`` (after one that warms the caches), and the number
    of queries one GET makes."""
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        client = Client()
        client.force_login(user)
        response = client.get(url, query)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code} to {user}.")
        timings = []
        for _request in range(requests):
            started = time.perf_counter()
            client.get(url, query)
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, query)
    return timings, len(queries)
