"""Every shell example of the README and of the guides a newcomer pastes runs against the seed corpus.

The examples are read from the Markdown itself (each ```sh block of ``EXAMPLE_FILES``) and run in
order, as a reader would paste them into a shell beside a running ``make run``: ``curl`` against
the app (through the test client), ``.venv/bin/python manage.py …`` as the command, ``VAR=…`` and
``VAR=$(… | tail -1)`` as assignments, and ``cat > FILE <<'TAG'`` writing the file later lines
read. A line in any other form fails the test, so an example cannot drift out of what is run.
Lines starting ``make`` are the two commands (and the targets), which CI itself runs.
"""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = ("README.md", "docs/api.md", "docs/ingest.md", "docs/web.md", "docs/formats.md")
SERVER = "http://127.0.0.1:8000"

# Files an example reads that the reader brings along (their own article, a SIPRI export).
SIPRI_SAMPLE = (ROOT / "tests" / "data" / "sipri_trade_register.csv").read_text()
READER_FILES = {
    # The sample's deals between countries the seed corpus holds (it has no Belarus).
    "trade-register.csv": "".join(line for line in SIPRI_SAMPLE.splitlines(True) if not line.startswith("Belarus,")),
    "article.html": (
        "<html><head><title>Kim meets Putin</title></head><body><nav>Home | World</nav><article>"
        "<h1>Kim meets Putin</h1><p>North Korean leader Kim Jong Un met Russian President Vladimir Putin "
        "at the Vostochny Cosmodrome on 13 September 2023.</p><p>Putin said Russia would help North Korea "
        "build satellites, according to state media.</p></article><footer>© Example News</footer></body></html>"
    ),
}

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, reset_sequences=True)]


def blocks(name: str) -> list[str]:
    text = (ROOT / name).read_text()
    return re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)


def commands(block: str):
    """The block's logical commands: continuation lines joined, quotes spanning lines kept whole, heredocs read."""
    lines = block.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        heredoc = re.match(r"^cat > (\S+) <<'(\w+)'$", line.strip())
        if heredoc:
            end = lines.index(heredoc[2], i)
            yield ("file", heredoc[1], "\n".join(lines[i:end]) + "\n")
            i = end + 1
            continue
        while True:
            if line.endswith("\\"):
                line = line[:-1] + " " + lines[i].strip()
                i += 1
                continue
            try:
                shlex.split(line, comments=True)
            except ValueError:  # a quote spans lines
                line += "\n" + lines[i]
                i += 1
                continue
            break
        yield ("run", line, None)


class Shell:
    def __init__(self, tmp_path: Path):
        self.cwd = tmp_path
        self.env: dict[str, str] = {}
        self.client = Client()

    def expand(self, text: str) -> str:
        return re.sub(r"\$\{?([A-Z_]+)\}?", lambda m: self.env.get(m[1], m[0]), text)

    def run(self, line: str) -> str:
        captured = re.match(r"^([A-Z_]+)=\$\((.*) \| tail -1\)$", line.strip())
        if captured:
            output = self.run(captured[2])
            self.env[captured[1]] = output.strip().splitlines()[-1]
            return ""
        words = shlex.split(self.expand(line), comments=True)
        if len(words) == 1 and re.match(r"^[A-Z_]+=", words[0]):
            name, value = words[0].split("=", 1)
            self.env[name] = value
            return ""
        if words[0] == "curl":
            return self.curl(words[1:])
        if words[:2] == [".venv/bin/python", "manage.py"]:
            return self.manage(words[2:])
        if words[0] == "make":
            return ""
        raise AssertionError(f"The example {line!r} is in no form this test knows how to run.")

    def manage(self, args: list[str]) -> str:
        out, err = io.StringIO(), io.StringIO()
        args = [str(self.cwd / arg) if (self.cwd / arg).is_file() else arg for arg in args]
        call_command(*args, stdout=out, stderr=err)
        return out.getvalue()

    def curl(self, args: list[str]) -> str:
        method, headers, data, form, output, dump, url = "GET", {}, None, {}, None, None, None
        it = iter(args)
        for arg in it:
            if arg in ("-s", "-sS"):
                continue
            if arg == "-X":
                method = next(it)
            elif arg == "-H":
                name, value = next(it).split(":", 1)
                headers[name.strip()] = value.strip()
            elif arg == "-d":
                data = next(it)
                method = method if method != "GET" else "POST"
            elif arg == "-F":
                name, value = next(it).split("=", 1)
                form[name] = open(self.cwd / value[1:], "rb") if value.startswith("@") else value  # noqa: SIM115
                method = method if method != "GET" else "POST"
            elif arg == "-o":
                output = next(it)
            elif arg == "-D":
                dump = next(it)
            elif arg == "-I":
                method = "HEAD"
            elif arg.startswith(SERVER):
                url = arg
            else:
                raise AssertionError(f"curl option {arg!r} is not one this test runs")
        assert url, f"no {SERVER} address in curl {args}"
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        content_type = headers.pop("Content-Type", None)
        request = getattr(self.client, method.lower())
        if form:
            response = request(path, data=form, headers=headers)
        elif data is not None:
            content_type = content_type or "application/x-www-form-urlencoded"  # curl's default for -d
            response = request(path, data=data, content_type=content_type, headers=headers)
        else:
            response = request(path, headers=headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code < 400, f"{method} {path} answered {response.status_code}: {body[:500]!r}"
        if output:
            (self.cwd / output).write_bytes(body)
        if dump:
            (self.cwd / dump).write_text("".join(f"{name}: {value}\n" for name, value in response.items()))
        return body.decode()


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_example_runs_against_the_seed_corpus(name, tmp_path, monkeypatch):
    call_command("load_corpus", stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    # The editor the guides' examples name (the README's quick start makes her the same way).
    call_command("create_editor", "alice", "--no-token", stdout=io.StringIO())
    monkeypatch.chdir(tmp_path)
    for filename, text in READER_FILES.items():
        (tmp_path / filename).write_text(text)
    shell = Shell(tmp_path)
    ran = 0
    for block in blocks(name):
        for kind, line, content in commands(block):
            if kind == "file":
                (tmp_path / line).write_text(content)
                continue
            shell.run(line)
            ran += 1
    assert ran >= 1, f"{name} has {ran} runnable examples; the test reads its ```sh blocks"


def slug(heading: str) -> str:
    """A heading's anchor as Markdown renderers make it: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.django_db(transaction=False)
def test_every_link_between_the_readme_and_the_guides_leads_somewhere():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.is_file():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and anchor not in {slug(h) for h in re.findall(r"^#+ (.*)$", dest.read_text(), flags=re.M)}:
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, broken
