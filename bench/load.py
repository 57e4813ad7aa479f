"""Servers and HTTP load for the benchmark: gunicorn serving kb, Datasette serving the peer, a threaded client.

Everything listens on 127.0.0.1 only. Every request opens its own connection (gunicorn's
sync workers close each one), the same way for both servers.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from kbdev.timing import HOST, free_port, percentile, summary


def get(port: int, path: str, timeout: float = 120) -> tuple[int, int]:
    """GET ``path``; (status, body bytes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close", "Accept-Encoding": "identity"})
        response = conn.getresponse()
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
        return response.status, size
    finally:
        conn.close()


def wait_ready(port: int, path: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            get(port, path, timeout=5)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server on port {port} did not answer within {seconds} s")


class Server:
    """A child server process on loopback, stopped (by its own pid) on exit."""

    def __init__(self, argv: list[str], port: int, ready_path: str, env: dict | None = None, log: Path | None = None):
        self.port = port
        self.log = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_ready(port, ready_path, self.process)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def gunicorn(
    python: str, database_url: str, workers: int, log: Path, *, worker_class: str = "sync", threads: int = 1
) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KB_API_ANON_RATE": "",
        "CONN_MAX_AGE": "600",
        # Production settings, except https: the benchmark speaks plain http on loopback.
        "KB_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "KB_MANIFEST_STATIC": "false",
    }
    argv = [
        python,
        "-m",
        "gunicorn",
        "kb.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--timeout",
        "300",
        "--log-level",
        "warning",
    ]
    return Server(argv, port, "/api/v1/", env=env, log=log)


def datasette(executable: str, db_path: Path, log: Path) -> Server:
    port = free_port()
    argv = [
        executable,
        "serve",
        "-i",
        str(db_path),
        "--host",
        HOST,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "60000",
        "--setting",
        "suggest_facets",
        "off",
        "--setting",
        "max_returned_rows",
        "1000",
    ]
    return Server(argv, port, "/-/versions.json", log=log)


def measure(port: int, path: str, *, warmup: int, repeats: int) -> dict:
    """Sequential GETs of one path: median and p95 in ms, and the body size."""
    size = 0
    for _ in range(warmup):
        status, size = get(port, path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        status, size = get(port, path)
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return {**summary(samples), "bytes": size}


def throughput(
    port: int, paths: Sequence[str], *, threads: int, max_requests: int, max_seconds: float, seed: int = 1
) -> dict:
    """Requests per second of a mixed read load: ``threads`` clients drawing paths at random.

    Stops after ``max_requests`` requests or ``max_seconds`` seconds, whichever comes first.
    """
    rng = random.Random(seed)
    plan = [rng.choice(paths) for _ in range(max_requests)]
    lock = threading.Lock()
    cursor = iter(plan)
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                path = next(cursor, None)
            if path is None:
                return
            started = time.perf_counter()
            try:
                status, _ = get(port, path)
            except OSError as exc:
                status = f"{type(exc).__name__}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{status} {path}")

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "median_ms": round(percentile(latencies, 50), 2) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 2) if latencies else None,
        "errors": len(errors),
        "error_sample": errors[:5],
        "threads": threads,
    }
