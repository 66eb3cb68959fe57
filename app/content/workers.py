"""Parsing entry files in forked worker processes, for a load that must parse thousands of them.

A cold load (the first after an upgrade, or a full publish with the entry
cache emptied) parses and checks every entry file: about half a millisecond
each, so a minute at 100,000 services in one process. :func:`parse_in_workers`
parses them in ``processes`` processes instead: ``processes - 1`` forked
workers, in batches dealt out in turn, and this process, which takes the last
batch not handed to a worker whenever the next one in order is not back yet
(with 2, one worker and this process share the files, and only the worker's
share is pickled). Each file's result is given back in the order asked for,
so the loader records fingerprints, problems and entries exactly as a serial
load would. What a worker sends back is what the entry cache keeps anyway (a
``ParsedFile``: the entry, its source, fingerprint and problems), pickled.

Only with the ``fork`` start method (the function, with everything it reads,
is inherited rather than pickled); elsewhere, and for few files, everything
is parsed in this process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many files to parse, starting workers costs more than it saves.
PARALLEL_FROM = 2000
# Files per batch: small enough that the workers stay busy to the end and this process can use
# results as they come, large enough that passing batches back and forth costs little.
BATCH = 200

_work: Callable | None = None   # set before the workers are forked; they inherit it


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def parse_in_workers(work: Callable[[Item], Result], items: list[Item], processes: int) -> Iterator[Result]:
    """``work(item)`` for each of ``items``, in order, computed in ``processes`` processes: this one
    and ``processes - 1`` forked workers.

    The batches are dealt out to the workers; whenever the next batch in order is not back yet,
    this process takes the last batch not handed to a worker and does it itself (work this process
    does is not pickled twice, and it would otherwise wait idle). An exception in a batch is raised
    when its turn comes, as it would be in a serial loop; a worker that dies (killed, out of
    memory) raises ``BrokenProcessPool`` rather than leaving the load waiting. The caller must not
    change what ``work`` reads while iterating.
    """
    global _work
    _work = work
    batches = [items[start:start + BATCH] for start in range(0, len(items), BATCH)]
    # The workers are forked at the first batch; they inherit the loader's collector setting (off:
    # a load keeps what it makes).
    workers = max(processes - 1, 1)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        # Batches are handed to the workers from the front, a few ahead of need (a batch handed
        # out is theirs: cancelling a future makes Python 3.11's pool fail when a worker dies);
        # this process takes them from the back.
        ahead = 4 * workers
        futures: dict[int, Future] = {}
        done_here: dict[int, list | Exception] = {}
        handed = 0                  # the next batch to hand out
        last = len(batches) - 1     # the last batch neither handed out nor taken here
        for index in range(len(batches)):
            while handed <= last and len(futures) < ahead:
                futures[handed] = pool.submit(_run_batch, batches[handed])
                handed += 1
            if index in done_here:
                results = done_here.pop(index)
                if isinstance(results, Exception):
                    raise results
            else:
                future = futures.pop(index)
                while handed <= last and not future.done():
                    try:
                        done_here[last] = _run_batch(batches[last])
                    except Exception as error:   # raised in its turn, after the batches before it
                        done_here[last] = error
                    last -= 1
                results = future.result()
            yield from results
    finally:
        pool.shutdown(cancel_futures=True)   # at once, when the loader stopped early
        _work = None


def _run_batch(batch: list) -> list:
    return [_work(item) for item in batch]
