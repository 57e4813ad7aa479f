"""How far the read replicas trail the primary while the load runs (PostgreSQL streaming replication).

A thread of the load check takes the primary's WAL position every ``interval`` seconds and
polls each replica until it has replayed that far: the time that takes is how long a commit
made at that moment stays invisible on the replica (``visible_ms``). It also reads the
primary's own view, ``pg_stat_replication.replay_lag``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from kbdev.timing import percentile


@dataclass
class LagSampler:
    """Samples replication lag on a thread of its own between ``start()`` and ``stop()``."""

    interval: float = 0.25
    visible: list[float] = field(default_factory=list)
    replay: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def wanted() -> bool:
        return (
            bool(getattr(settings, "REPLICA_DATABASES", None)) and connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            primary = connections[DEFAULT_DB_ALIAS].cursor()
            replicas = {alias: connections[alias].cursor() for alias in settings.REPLICA_DATABASES}
            while not self._stop.is_set():
                primary.execute(
                    "SELECT pg_current_wal_lsn(), max(extract(epoch FROM replay_lag)) FROM pg_stat_replication"
                )
                lsn, replay_lag = primary.fetchone()
                began = time.perf_counter()
                if replay_lag is not None:
                    self.replay.append(float(replay_lag))
                for cursor in replicas.values():
                    while not self._stop.is_set():
                        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.002)
                self.visible.append(time.perf_counter() - began)
                self._stop.wait(self.interval)
        except Exception as exc:  # a sampler that fails says so in the report; the load goes on
            self.errors.append(f"replication lag sampler: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    def figures(self) -> dict[str, float | int]:
        def ms(values: list[float], p: float) -> float:
            return round(percentile(values, p) * 1000, 1) if values else 0.0

        return {
            "samples": len(self.visible),
            "visible_p50_ms": ms(self.visible, 50),
            "visible_p99_ms": ms(self.visible, 99),
            "visible_max_ms": round(max(self.visible, default=0) * 1000, 1),
            "replay_lag_p50_ms": ms(self.replay, 50),
            "replay_lag_max_ms": round(max(self.replay, default=0) * 1000, 1),
        }
