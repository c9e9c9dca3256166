"""The garbage collector's due work is done at quiet moments (server/web/quietgc.py)."""

import asyncio
import gc
import weakref

from server.web.quietgc import YOUNG_WORTH_IT, collect_when_quiet, due_generation


def test_the_oldest_generation_with_work_pending_is_the_one_collected() -> None:
    assert due_generation((0, 0, 0)) is None
    assert due_generation((YOUNG_WORTH_IT, 0, 0)) is None  # too little to be worth a pass
    assert due_generation((YOUNG_WORTH_IT + 1, 0, 0)) == 0
    assert due_generation((3, 2, 0)) == 1
    assert due_generation((3, 2, 1)) == 2


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_garbage_left_by_a_burst_is_collected_once_the_process_is_quiet() -> None:
    thresholds = gc.get_threshold()
    gc.collect()
    gc.set_threshold(10**9, 10**9, 10**9)  # the automatic collector would never get there
    try:

        async def scenario() -> bool:
            task = asyncio.create_task(collect_when_quiet())
            nodes = [_Node() for _ in range(5 * YOUNG_WORTH_IT)]
            probe = weakref.ref(nodes[0])
            del nodes  # garbage now, in cycles: refcounting alone cannot free it
            await asyncio.sleep(0.8)  # quiet: the task sleeps and finds work due
            task.cancel()
            return probe() is None

        assert asyncio.run(scenario())
    finally:
        gc.set_threshold(*thresholds)
