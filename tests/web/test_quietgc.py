"""The garbage collector's due work is done at quiet moments (server/web/quietgc.py)."""

import asyncio
import gc
import weakref

from server.web.quietgc import collect_when_quiet, due_generation

THRESHOLDS = (5_000, 10, 50)  # server/__main__.py's


def test_only_a_generation_half_way_to_its_collection_is_collected_early() -> None:
    assert due_generation((0, 0, 0), THRESHOLDS) is None
    assert due_generation((2_499, 4, 24), THRESHOLDS) is None  # nothing soon due: left alone
    assert due_generation((2_500, 0, 0), THRESHOLDS) == 0
    assert due_generation((3, 5, 0), THRESHOLDS) == 1
    assert due_generation((3, 5, 25), THRESHOLDS) == 2  # the oldest one due


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_garbage_left_by_a_burst_is_collected_once_the_process_is_quiet() -> None:
    thresholds = gc.get_threshold()
    gc.collect()
    gc.set_threshold(4_000, 10, 50)  # the young generation is collected every 4,000 objects
    try:

        async def scenario() -> bool:
            task = asyncio.create_task(collect_when_quiet())
            nodes = [_Node() for _ in range(2_500)]  # past half-way: due soon, not yet
            probe = weakref.ref(nodes[0])
            del nodes  # garbage now, in cycles: refcounting alone cannot free it
            await asyncio.sleep(0.8)  # quiet: the task sleeps and finds work due
            task.cancel()
            return probe() is None

        assert asyncio.run(scenario())
    finally:
        gc.set_threshold(*thresholds)
