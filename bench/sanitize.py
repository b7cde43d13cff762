"""How long clean() takes on bodies of BODY_MAX_BYTES (1 MiB) in the shapes of issue 10.

    .venv/bin/python bench/sanitize.py [--size BYTES] [--repeat N]

Prints the machine's load average, then per shape the best of N runs at a quarter of the size
and at the full size, in CPU time of this process (what the work costs, whatever else the
machine runs) and wall time (what an editor waits), the ratio of the CPU times (linear:
about 4) and what clean() did (cleaned, or refused as nested too deep). Absolute times depend
on the machine; the issue asks for under 2 s at the full size here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.config import DefaultConfig  # noqa: E402
from portal.sanitize import NestingTooDeep, clean  # noqa: E402


def repeated(unit: str) -> Callable[[int], str]:
    return lambda size: unit * (size // len(unit.encode()))


def numbered(make: Callable[[int], str]) -> Callable[[int], str]:
    """Every element different (nothing the walk decided once is reused)."""

    def body(size: int) -> str:
        parts, length, number = [], 0, 0
        while length < size:
            parts.append(make(number))
            length += len(parts[-1].encode())
            number += 1
        return "".join(parts)

    return body


SHAPES: dict[str, Callable[[int], str]] = {
    # The review's (issue 10):
    "<div> × n": repeated("<div>"),
    "<ul><li> × n": repeated("<ul><li>"),
    "&amp; × n": repeated("&amp;"),
    "<p>a</p> × n": repeated("<p>a</p>"),
    # Unclosed and misnested markup (the checks before the parser read these):
    "<p>a × n (unclosed)": repeated("<p>a"),
    "<p><b>x × n (unclosed)": repeated("<p><b>x"),
    "<li>x × n": repeated("<li>x"),
    "<td>x × n": repeated("<td>x"),
    "<b><i>x</b></i> × n": repeated("<b><i>x</b></i>"),
    "<ul><td> × n": repeated("<ul><td>"),
    "<div></1 </div> × n": repeated("<div></1 </div>"),
    # What Word pastes, and attributes that each cost a decision:
    "<p>&nbsp;</p> × n": repeated("<p>\u00a0</p>"),
    "<!--x--> × n": repeated("<!--x-->"),
    "same style × n": repeated('<p style="text-indent:2em;color:red">x</p>'),
    "different styles": numbered(lambda i: f'<p style="text-indent:2em;color:#{i:06x}">x</p>'),
    "different links": numbered(lambda i: f'<a href="/a?b={i}&amp;c=2">x</a>'),
}


def timed(body: str, repeat: int) -> tuple[float, float, str]:
    best_cpu = best_wall = float("inf")
    outcome = ""
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            outcome = f"cleaned, {len(clean(body).html):,} characters"
        except NestingTooDeep:
            outcome = "refused: nested too deep"
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=DefaultConfig.BODY_MAX_BYTES)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs; bodies of {options.size:,} bytes")
    print(
        f"{'shape':<26} {'¼ size cpu':>10} {'full cpu':>9} {'full wall':>9} {'ratio':>6}  outcome"
    )
    for name, make in SHAPES.items():
        small, _, _ = timed(make(options.size // 4), options.repeat)
        large, wall, outcome = timed(make(options.size), options.repeat)
        ratio = large / max(small, 1e-9)
        print(f"{name:<26} {small:>9.3f}s {large:>8.3f}s {wall:>8.3f}s {ratio:>6.1f}  {outcome}")


if __name__ == "__main__":
    main()
