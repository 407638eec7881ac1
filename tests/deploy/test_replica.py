"""The read-replica router against a real streaming replica (tests/deploy/replica.py): reads inside
``replica_reads()`` come from the standby (proven by pausing its replay: it then answers with older rows than the
primary), writes and every read after a write go to the primary; the middleware sends the dashboards' GET requests to
the replica, never a POST, a page it does not name, or the pages right after a browser wrote."""

import psycopg
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import Household
from organisation.periods import previous_month
from organisation.replica import REPLICA, ReplicaRouter, replica_reads
from reporting.models import ReportStatus
from reporting.services.reports import work_report_generate, work_report_request
from tests.deploy.replica import ReplicaUnavailable, connect, streaming_pair, wait_until_caught_up
from tests.factories.households import HouseholdFactory


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        source = dict(connection.settings_dict)
    try:
        with streaming_pair(source) as pair:
            yield pair
    except ReplicaUnavailable as reason:
        pytest.skip(f"no streaming replica could be started here: {reason}")


@pytest.fixture
def on_primary_and_replica(streaming_replica, transactional_db):
    """``default`` is the streaming pair's primary and ``replica`` its standby while the test runs; the test database's
    own connection is given back before it is emptied."""
    default = connections["default"]
    original = dict(default.settings_dict)
    default.close()
    default.settings_dict.update(HOST="127.0.0.1", PORT=streaming_replica["primary"])
    connections.settings[REPLICA] = {**default.settings_dict, "PORT": streaming_replica["replica"],
                                     "ATOMIC_REQUESTS": False}  # fmt: skip
    # Opened here: the test case lets a test reach only the databases it was declared with, and a connection that is
    # already open.
    connections[REPLICA].connect()
    try:
        yield streaming_replica
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        default.close()
        default.settings_dict.clear()
        default.settings_dict.update(original)


def replay(pair, action: str) -> None:
    """Pause or resume the standby's replay of the primary's changes (it keeps receiving them)."""
    with connect(pair["replica"], pair["name"], autocommit=True) as standby:
        standby.execute(f"SELECT pg_wal_replay_{action}()")


def test_reads_in_the_block_come_from_the_standby_until_the_first_write(on_primary_and_replica, village):
    pair = on_primary_and_replica
    # given a household the standby has, then one written while its replay is paused
    seen = HouseholdFactory(village=village)
    wait_until_caught_up(pair["primary"], pair["replica"], pair["name"])
    replay(pair, "pause")
    try:
        late = HouseholdFactory(village=village)
        # when the households are read in a replica block, and outside one
        with replica_reads():
            on_standby = set(Household.objects.filter(village=village).values_list("pk", flat=True))
            # then the block read the standby (without the late one): the standby really is another server
            assert on_standby == {seen.pk}
            # when the block writes, then its later reads are the primary's, which has every row
            written = HouseholdFactory(village=village)
            after_write = set(Household.objects.filter(village=village).values_list("pk", flat=True))
        assert after_write == {seen.pk, late.pk, written.pk}
        assert set(Household.objects.filter(village=village).values_list("pk", flat=True)) == after_write
    finally:
        replay(pair, "resume")
    # when the standby has caught up, then a block reads every row from it
    wait_until_caught_up(pair["primary"], pair["replica"], pair["name"])
    with replica_reads(), CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert Household.objects.filter(village=village).count() == 3
    assert len(on_replica.captured_queries) == 1
    # and the standby refuses writes, which the router never sends it
    with connect(pair["replica"], pair["name"]) as standby, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        standby.execute("DELETE FROM households_household")


def test_the_dashboard_reads_the_replica_and_writes_and_other_pages_the_primary(
    on_primary_and_replica, client, office_user, village
):
    pair = on_primary_and_replica
    HouseholdFactory(village=village)
    client.force_login(office_user)
    wait_until_caught_up(pair["primary"], pair["replica"], pair["name"])

    def queries(method, url, **data):
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections[REPLICA]) as replica,
        ):
            response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302), response.content[:500]
        return [q["sql"] for q in primary.captured_queries], [q["sql"] for q in replica.captured_queries]

    # when the district office opens its dashboard
    on_primary, on_replica = queries("get", reverse("reporting:dashboard"))
    # then the page's reads came from the replica; the session and the user from the primary
    assert on_replica, "the dashboard read nothing from the replica"
    assert not any("django_session" in sql or '"auth_user"' in sql for sql in on_replica)
    assert any("django_session" in sql for sql in on_primary)

    # when it opens a page the setting does not name (the household list), then nothing is read from the replica
    assert queries("get", reverse("households:household_list"))[1] == []

    # when it asks for the figures to be computed (a POST), then nothing is read from the replica
    on_primary, on_replica = queries("post", reverse("reporting:dashboard_build"), month="2026-01")
    assert on_replica == []
    # and the dashboard right after, from the same browser, reads the primary (it may show what was just written)
    assert queries("get", reverse("reporting:dashboard"))[1] == []

    # when the pin has expired (the cookie is gone), the dashboard reads the replica again
    del client.cookies["lanshan_primary"]
    assert queries("get", reverse("reporting:dashboard"))[1]


def test_a_job_that_must_see_its_own_writes_waits_for_the_standby_or_reads_the_primary(
    on_primary_and_replica, village, settings
):
    pair = on_primary_and_replica
    settings.REPLICA_CATCH_UP_SECONDS = 0.5
    wait_until_caught_up(pair["primary"], pair["replica"], pair["name"])
    replay(pair, "pause")
    try:
        # given a row the standby has not replayed
        late = HouseholdFactory(village=village)
        # when a job's block asks for a caught-up replica, then it gives up waiting and reads the primary
        with replica_reads(caught_up=True), CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert Household.objects.filter(pk=late.pk).exists()
        assert not any("households_household" in query["sql"] for query in on_replica.captured_queries)
    finally:
        replay(pair, "resume")
    # when the standby replays, then the block waits for it and reads it there
    with replica_reads(caught_up=True), CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert Household.objects.filter(pk=late.pk).exists()
    assert any("households_household" in query["sql"] for query in on_replica.captured_queries)


def test_the_monthly_report_job_reads_its_figures_from_the_replica(on_primary_and_replica, office_user, village):
    # given households, and the district office asking for last month's report
    HouseholdFactory.create_batch(2, village=village)
    report = work_report_request(user=office_user, month=previous_month(timezone.localdate()))
    # when the job runs (it computes the month's figures on the primary, then reads them to write the workbook)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        report = work_report_generate(report_id=report.pk)
    # then the report is done, its figures were read from the replica and written on the primary
    assert report.status == ReportStatus.DONE, report.failure
    assert any("reporting_figurevalue" in query["sql"] for query in replica.captured_queries)
    assert not any(query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "COPY"))
                   for query in replica.captured_queries)  # fmt: skip
    assert any(
        "reporting_workreport" in query["sql"] and "UPDATE" in query["sql"] for query in primary.captured_queries
    )


def test_without_a_replica_every_query_goes_to_the_primary():
    # given no DATABASES["replica"]: inside a replica block too, the router leaves reads to the default database
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Household) is None
    assert router.db_for_write(Household) == "default"
    # and the replica never gets the migrations
    assert router.allow_migrate(REPLICA, "households") is False
    assert router.allow_migrate("default", "households") is True
