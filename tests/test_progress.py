"""Progress of long commands: a bar on a terminal, counted lines elsewhere, nothing at -v0, never on stdout."""

from io import StringIO

from kb.management.commands.load_corpus import Command as LoadCorpus
from kb.progress import ProgressDisplay, command_progress, silent


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def feed(progress, label: str, total: int) -> None:
    for done in range(total + 1):
        progress(label, done, total)


def test_off_a_terminal_each_step_ends_with_a_counted_line():
    stream = StringIO()
    display = ProgressDisplay(stream, prefix="cmd: ")
    feed(display, "rows", 1500)
    feed(display, "links", 0)
    display.close()
    assert stream.getvalue() == "cmd: rows: 1,500/1,500 (100 %)\ncmd: links: 0/0\n"


def test_off_a_terminal_a_long_step_shows_lines_while_it_runs():
    stream = StringIO()
    display = ProgressDisplay(stream, prefix="cmd: ", interval=0)
    feed(display, "rows", 3)
    display("rows", 3, 3)  # the end is shown once
    assert stream.getvalue().splitlines() == [
        "cmd: rows: 0/3 (0 %)",
        "cmd: rows: 1/3 (33 %)",
        "cmd: rows: 2/3 (66 %)",
        "cmd: rows: 3/3 (100 %)",
    ]


def test_on_a_terminal_each_step_is_a_bar():
    stream = Terminal()
    display = ProgressDisplay(stream, prefix="cmd: ")
    feed(display, "rows", 200)
    feed(display, "links", 5)
    display.close()
    output = stream.getvalue()
    assert "\r" in output
    assert "cmd: rows: 100%" in output and "200/200" in output
    assert "cmd: links: 100%" in output and "5/5" in output


def test_a_command_shows_progress_on_its_stderr_and_nothing_at_verbosity_0():
    out, err = StringIO(), StringIO()
    command = LoadCorpus(stdout=out, stderr=err)
    with command_progress(command, verbosity=0) as progress:
        assert progress is silent
        feed(progress, "records", 10)
    assert err.getvalue() == ""
    with command_progress(command, verbosity=1) as progress:
        feed(progress, "records", 10)
    assert err.getvalue() == "load_corpus: records: 10/10 (100 %)\n"
    assert out.getvalue() == ""
