"""gunicorn serving kb on loopback for the load check, with production settings over plain http."""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from kbdev.timing import HOST, free_port


class Gunicorn:
    """gunicorn serving kb.wsgi on loopback with production settings over plain http."""

    def __init__(self, *, workers: int, log: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.log_path = log
        env = {
            **os.environ,
            "KB_ENV": "production",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",  # plain http on loopback; everything else as deployed
            "KB_MANIFEST_STATIC": "false",
            "KB_API_ANON_RATE": "",  # the readers are one address; no throttling in the test
            **(env or {}),
        }
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kb.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={workers}",
            "--timeout=60",
            "--graceful-timeout=20",
            "--log-level=warning",
            "--error-logfile=-",
        ]
        self.log = log.open("wb")
        self.process = subprocess.Popen(argv, cwd=settings.BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/api/v1/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")
