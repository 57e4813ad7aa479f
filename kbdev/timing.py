"""Timing helpers shared by the load check, the scale sweep and the benchmarks.

Percentiles, timed repeats with warm-up (median and p95 in milliseconds) and a free loopback port.
"""

from __future__ import annotations

import math
import socket
import statistics
import time
from collections.abc import Callable

HOST = "127.0.0.1"


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank ``pct`` percentile (0–100) of ``values``: the smallest value with at least
    ``pct`` % of them at or below it; 0.0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at this moment."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def summary(samples_ms: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(samples_ms), 3),
        "p95_ms": round(percentile(samples_ms, 95), 3),
        "min_ms": round(min(samples_ms), 3),
        "runs": len(samples_ms),
    }


def measure(run: Callable[[], object], *, warmup: int, repeats: int) -> dict:
    """Call ``run`` ``warmup`` times untimed, then ``repeats`` times timed; the summary in ms."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)
