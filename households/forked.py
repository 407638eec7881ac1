"""Run one generator in several forked processes and take their records in order, for CPU-bound work.

The household check spends most of its time in Python reading and checking rows; split over the machine's
cores it runs that many times faster. ``forked_records(work, processes)`` forks ``processes`` children; child
``k`` runs ``work(k, processes)`` and sends each record it yields, pickled, through its own pipe. The parent
yields the records in the order of their ``index``: record ``i`` comes from child ``i % processes``, so each
child must yield the records ``k``, ``k + processes``, ``k + 2 * processes`` … until its part of the work
ends. A pipe holds a record or two, so no child runs far ahead and memory stays flat.

Plain ``os.fork``, not multiprocessing: a Celery prefork worker is a daemonic process, and those may not
start multiprocessing children. A child must not touch the parent's database connection (it shares the
socket); it ends with ``os._exit`` so that no cleanup of the parent's objects runs in it. A record or an
exception that cannot be pickled, a child that dies, or any error in the parent, stops every child.
"""

import contextlib
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable, Iterator
from typing import Any, Protocol

_LENGTH = struct.Struct("!Q")


class Record(Protocol):
    index: int


class ChildFailed(RuntimeError):
    """A child process ended without finishing its part of the work."""


def processes_available() -> int:
    """The cores this process may run on; 1 off Linux, where forking a process that has started threads or
    system frameworks is not safe (macOS) or possible (Windows)."""
    if not sys.platform.startswith("linux"):
        return 1
    return len(os.sched_getaffinity(0))


def forked_records(work: Callable[[int, int], Iterator[Record]], processes: int) -> Iterator[Any]:
    """The records of ``work`` run in ``processes`` children, in index order (see the module's docstring)."""
    children: list[tuple[int, Any]] = []
    try:
        for share in range(processes):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child
                os.close(read_end)
                _child_run(work, share, processes, write_end)  # never returns
            os.close(write_end)
            children.append((pid, os.fdopen(read_end, "rb")))
        index = 0
        finished = set()
        while True:
            kind, payload = _receive(children[index % processes][1])
            if kind == "error":
                raise payload
            if kind == "done":
                finished.add(index % processes)
                break
            if payload.index != index:
                raise ChildFailed(f"expected record {index}, a child sent {payload.index}")
            yield payload
            index += 1
        # The others may have nothing more to send; each must still end cleanly.
        for share, (_pid, pipe) in enumerate(children):
            while share not in finished:
                kind, payload = _receive(pipe)
                if kind == "error":
                    raise payload
                if kind == "done":
                    finished.add(share)
                    break
                raise ChildFailed(f"a child sent record {payload.index} after the work ended")
    finally:
        for pid, pipe in children:
            pipe.close()
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _child_run(work, share: int, processes: int, write_end: int) -> None:
    code = 0
    try:
        with os.fdopen(write_end, "wb") as pipe:
            try:
                for record in work(share, processes):
                    _send(pipe, "record", record)
                _send(pipe, "done", None)
            except BaseException as error:  # everything goes to the parent
                code = 1
                try:
                    _send(pipe, "error", error)
                except Exception:  # an unpicklable error is told by its text
                    _send(pipe, "error", ChildFailed(f"{type(error).__name__}: {error}"))
    except BaseException:  # the parent went away: nothing to tell
        code = 1
    finally:
        os._exit(code)


def _send(pipe, kind: str, payload) -> None:
    data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_LENGTH.pack(len(data)))
    pipe.write(data)
    pipe.flush()


def _receive(pipe) -> tuple[str, Any]:
    header = pipe.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise ChildFailed("a child process ended before finishing its part of the work")
    (length,) = _LENGTH.unpack(header)
    data = pipe.read(length)
    if len(data) < length:
        raise ChildFailed("a child process ended in the middle of a record")
    return pickle.loads(data)  # our own child's, through a pipe only it holds
