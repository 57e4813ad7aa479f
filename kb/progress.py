"""Progress of long work: the work calls ``progress(label, done, total)``; a command shows it on stderr.

Functions that take a while (loading the corpus, backup, restore, synthetic data) accept a
``progress`` callable and call it as they go; they know nothing of terminals. A management
command passes ``command_progress(self, verbosity=…)``: a tqdm bar per step when its stderr
is a terminal; when it is not (a log file, a pipe, a test), a counted line as each step
ends and every ten seconds while it runs; nothing at ``-v0``. Progress goes to stderr, as
tqdm's does, so that stdout carries only the command's result (a path, a report, JSON) for
scripts to read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from django.core.management.base import BaseCommand
from tqdm import tqdm

# Called as progress(label, done, total): ``done`` of ``total`` units of the step ``label``.
# A call with a new label starts a new step.
Progress = Callable[[str, int, int], None]

# Off a terminal, a step shows a line when it ends and, while it runs, one this often (seconds).
LINE_INTERVAL = 10.0


def silent(label: str, done: int, total: int) -> None:
    """Progress that shows nothing: the default of every function that takes one."""


class ProgressDisplay:
    """Shows progress on ``stream``: a tqdm bar per step on a terminal, counted lines elsewhere."""

    def __init__(self, stream: IO[str], *, prefix: str = "", interval: float = LINE_INTERVAL) -> None:
        self.stream = stream
        self.prefix = prefix
        self.interval = interval
        isatty = getattr(stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        self.label: str | None = None
        self.bar: tqdm | None = None
        self.last_line = 0.0
        self.ended = False

    def __call__(self, label: str, done: int, total: int) -> None:
        if label != self.label:
            self.close()
            self.label, self.last_line, self.ended = label, time.monotonic(), False
            if self.terminal:
                self.bar = tqdm(
                    total=total,
                    desc=f"{self.prefix}{label}",
                    file=self.stream,
                    unit="",
                    leave=True,
                    dynamic_ncols=True,
                    mininterval=0.5,
                )
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
            return
        if self.ended:
            return
        now = time.monotonic()
        if done >= total or now - self.last_line >= self.interval:
            share = f" ({100 * done // total} %)" if total else ""
            self.stream.write(f"{self.prefix}{label}: {done:,}/{total:,}{share}\n")
            self.stream.flush()
            self.last_line, self.ended = now, done >= total

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextmanager
def command_progress(command: BaseCommand, *, verbosity: int) -> Iterator[Progress]:
    """Progress for a management command on its stderr, prefixed with the command's name; silent at -v0."""
    if verbosity < 1:
        yield silent
        return
    # Django's OutputWrapper ends every write with a newline; a bar redraws itself with bare
    # carriage returns, so it writes to the stream the wrapper holds.
    stream = getattr(command.stderr, "_out", command.stderr)
    display = ProgressDisplay(stream, prefix=f"{command.__module__.rsplit('.', 1)[-1]}: ")
    try:
        yield display
    finally:
        display.close()
