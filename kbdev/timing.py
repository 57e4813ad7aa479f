"""Timing helpers shared by the load check and the benchmarks: percentiles and a free loopback port."""

from __future__ import annotations

import math
import socket

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
