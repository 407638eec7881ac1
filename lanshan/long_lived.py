"""Keep a server process's long-lived objects out of Python's full garbage collections.

A full collection walks every object the process holds. A web process holds about 200,000 once it has served each
kind of page (modules, URL patterns, compiled templates, translation catalogues), and a full pass over them took
90-130 ms. Python runs one about every 170 requests, in the middle of whichever request tips the count: on 2 cores at
20 requests/s that request, and those queued behind it on the same process, were among each page's slowest
(bin/loadtest). ``gc.freeze()`` moves every object alive at that moment into a generation the collector never walks;
afterwards a full pass took 6-17 ms.

Objects frozen are never collected, so each freeze first collects what is already garbage. What a request makes and
drops is freed by reference counting or by the young generations' collections, which freezing does not change.
"""

import gc

# The process freezes when it has started and after these requests (by its own count): by then it has compiled the
# templates and filled the caches of the pages it serves. Each freeze's collection walks only what the last left.
FREEZE_AFTER_REQUESTS = frozenset({10, 100, 1000})


def freeze_long_lived() -> int:
    """Collect the garbage, then freeze every object left; the number of objects frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def freeze_due(requests_served: int) -> bool:
    return requests_served in FREEZE_AFTER_REQUESTS
