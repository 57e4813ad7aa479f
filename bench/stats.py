"""Timing helpers for the benchmark: warm-up, repeated runs, median and p95 in milliseconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from kbdev.timing import percentile


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
