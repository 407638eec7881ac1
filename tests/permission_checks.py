"""The reusable check that a record's URL holds against users of another town.

    assert_other_town_refused(client, url, role=Role.TOWN_STAFF, method="post", data={...})

logs in a user holding ``role`` in a freshly made town (or one of its villages, for a village
clerk), requests ``url`` and asserts the answer is 403 or 404 and that nothing was written: every
write to a tracked record appends a history seal, so an unchanged chain head proves it.
"""

from history.models import Seal
from organisation.roles import LEVEL_OF_ROLE, Level, Role
from tests.factories.organisation import TownFactory, VillageFactory, post_user


def history_head() -> tuple[int, int]:
    last = Seal.objects.order_by("-id").values_list("id", flat=True).first()
    return (Seal.objects.count(), last or 0)


def stranger(role: Role):
    """A user holding ``role`` somewhere the record under test is not."""
    town = TownFactory()
    if LEVEL_OF_ROLE[role] == Level.VILLAGE:
        return post_user(role, village=VillageFactory(town=town))
    if LEVEL_OF_ROLE[role] == Level.TOWN:
        return post_user(role, town=town)
    raise ValueError(f"{role} reaches the whole district; there is no other town to be refused from.")


def assert_other_town_refused(client, url: str, *, role: Role, method: str = "get", data: dict | None = None):
    client.force_login(stranger(role))
    before = history_head()
    response = getattr(client, method)(url, data or {})
    assert response.status_code in (403, 404), f"{role} of another town got {response.status_code} at {method} {url}"
    assert history_head() == before, f"{method} {url} by another town's {role} wrote to the database"
    return response
