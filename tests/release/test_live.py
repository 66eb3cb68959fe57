"""The live release of a process: reopened when a publish switches ``current``."""

from __future__ import annotations

import gc

from app.publishing.publish import publish
from app.release.live import LiveRelease
from app.web.request_overhead import settle_heap

from ..factories import service, write_service


def test_after_open_runs_once_for_each_newly_opened_release(folders, content_dir, published):
    opened = []
    live = LiveRelease(folders["index"], after_open=lambda: opened.append(live.store.current_id()))
    first = live.get()
    assert live.get() is first and opened == [first.id]
    write_service(content_dir, service("new-group", title="A new group"))
    publish(content_dir, folders["index"], processes=1)
    second = live.get()
    assert second.id != first.id and opened == [first.id, second.id]


def test_settling_the_heap_freezes_what_the_process_holds_and_keeps_freeing_garbage():
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # new garbage is still collected
    finally:
        gc.unfreeze()
