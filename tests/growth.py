"""How an operation's time grows with its input: the check behind every "runs in linear time"
test (issue 10). Never an absolute time: the ratio between an input and one four times larger.

Robust, not lax, on a busy machine (two cores shared by many test runs):

- CPU time of this thread (``time.thread_time_ns``), not wall time: time spent waiting for a
  core while other processes run is not counted, only the work the operation itself does;
- the minimum of several repetitions, with the garbage collector off: the run least disturbed
  by cache misses and the collector's pauses; the two sizes' runs interleaved, so that a spell
  of contention (a busy sibling hyperthread slows the work itself, in CPU time too) falls on
  both rather than on one;
- an input grown until one run takes at least ``MIN_RUN_NS``, so that the timer's resolution
  and the operation's constant costs no longer blur the ratio.

Then size n is compared with 4n: linear time costs about 4×, quadratic 16×. ``MAX_RATIO`` (8)
sits between the two, twice what linear costs and half what quadratic does.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

MIN_RUN_NS = 20_000_000  # 20 ms of CPU time for the smaller input
GROWTH = 4  # the larger input is this many times the smaller
MAX_RATIO = 8  # linear ≈ 4, quadratic ≈ 16
REPEAT = 5


def cpu_time(operation: Callable[[T], object], argument: T, repeat: int = REPEAT) -> int:
    """The least CPU time (ns) of this thread over ``repeat`` runs of ``operation(argument)``."""
    best = None
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.thread_time_ns()
            operation(argument)
            spent = time.thread_time_ns() - start
            best = spent if best is None else min(best, spent)
    finally:
        if collecting:
            gc.enable()
    assert best is not None
    return best


@dataclass(frozen=True)
class Growth:
    size: int  # of the smaller input
    small_ns: int
    large_ns: int

    @property
    def ratio(self) -> float:
        return self.large_ns / max(self.small_ns, 1)

    @property
    def measured(self) -> bool:
        """False when even the largest input allowed ran under ``MIN_RUN_NS``."""
        return self.small_ns >= MIN_RUN_NS

    def __str__(self) -> str:
        return (
            f"{GROWTH}× the input ({self.size:,} → {GROWTH * self.size:,}) took "
            f"{self.ratio:.1f}× the CPU time ({self.small_ns / 1e6:.1f} → "
            f"{self.large_ns / 1e6:.1f} ms)"
        )


def growth(
    operation: Callable[[T], object], make_input: Callable[[int], T], *, start: int, limit: int
) -> Growth:
    """Grow ``make_input(size)`` from ``start`` until one run takes ``MIN_RUN_NS`` (or the
    larger input would pass ``limit``), then time that size and ``GROWTH`` times it."""
    largest = limit // GROWTH
    size = min(start, largest)
    while size < largest:
        once = cpu_time(operation, make_input(size), repeat=1)
        if once >= MIN_RUN_NS:
            break
        # Aim past the threshold as if the time were linear (at most 4× a step, so that a
        # quadratic operation never gets an input that takes minutes).
        factor = min(4.0, max(2.0, 1.5 * MIN_RUN_NS / max(once, 1)))
        size = min(int(size * factor), largest)
    while True:
        small_input, large_input = make_input(size), make_input(GROWTH * size)
        # Interleaved: both sizes see the same spells of a busy machine.
        runs = [
            (cpu_time(operation, small_input, repeat=1), cpu_time(operation, large_input, repeat=1))
            for _ in range(REPEAT)
        ]
        measured = Growth(size, min(run[0] for run in runs), min(run[1] for run in runs))
        # The search's single run may have been slow (a cold start) where the least of several
        # is not: grow on rather than let the input count as too fast to measure.
        if measured.measured or size >= largest:
            return measured
        size = min(2 * size, largest)


def assert_linear(
    operation: Callable[[T], object], make_input: Callable[[int], T], *, start: int, limit: int
) -> Growth:
    """Fail unless ``operation``'s time grows at most ``MAX_RATIO``× for ``GROWTH``× the
    input. An operation still under ``MIN_RUN_NS`` at ``limit // GROWTH`` passes: nothing
    super-linear gets through a large input that fast (a quadratic one needs its square)."""
    measured = growth(operation, make_input, start=start, limit=limit)
    if measured.measured:
        assert measured.ratio < MAX_RATIO, str(measured)
    return measured
