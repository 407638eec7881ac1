"""Calls run at the same moment, each in its own thread, connection and transaction: for the tests that prove a rule
holds under real concurrency (the database's locks and constraints, not the test's ordering)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import translation


def run_together(*calls):
    """Run each call in its own thread (its own connection and transaction), released at the same moment."""
    start_together = threading.Barrier(len(calls), timeout=10)
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            with translation.override("en"):
                start_together.wait()
                call()
            outcomes[index] = "done"
        except ValidationError as error:
            outcomes[index] = error.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
