"""Turn an uploaded article file (bytes) into clean text: strict decoding, validation and HTML extraction.

Plain text is decoded as UTF-8 and cleaned; HTML has its main text extracted with
trafilatura, which drops page furniture (navigation, related links, comments, footers).
Every refusal is an :class:`ArticleInputError` naming the input at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.ingest.normalize import clean_text, normalize_name

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
# Control characters that never occur in an article (tab, newline, carriage return and form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HTML_SNIFF = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I | re.S
)
_TAGS = re.compile(r"<(?:p|div|article|br|h[1-6]|span|section)[\s/>]", re.I)


class ArticleInputError(ValueError):
    """An article file that cannot be ingested; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "content") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ArticleText:
    """The cleaned text of an article and how it was obtained."""

    text: str
    format: str  # "text" or "html"
    furniture_note: str = ""


def decode(content: bytes, *, max_bytes: int) -> str:
    """Strict UTF-8 decoding with the checks every upload needs: not empty, not too big, not binary."""
    if not isinstance(content, bytes | bytearray):
        raise ArticleInputError("The article must be given as bytes.")
    if len(content) > max_bytes:
        raise ArticleInputError(
            f"The file is {len(content):,} bytes; the largest article accepted is {max_bytes:,} bytes."
        )
    if not content.strip():
        raise ArticleInputError("The file is empty.")
    if b"\x00" in content:
        raise ArticleInputError("The file is binary (it contains NUL bytes), not text or HTML.")
    try:
        value = bytes(content).decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        raise ArticleInputError(
            f"The file is not valid UTF-8 (byte 0x{content[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 text or HTML."
        ) from exc
    controls = len(_CONTROL.findall(value))
    if controls > max(2, len(value) // 1000):
        raise ArticleInputError(f"The file looks binary: it holds {controls} control characters.")
    return value


def looks_like_html(content: bytes | str, filename: str = "") -> bool:
    """HTML by file suffix, else by sniffing the first kilobytes."""
    name = (filename or "").lower()
    if name.endswith(HTML_SUFFIXES):
        return True
    if name.endswith((".txt", ".text", ".md")):
        return False
    head = content[:4096] if isinstance(content, bytes | bytearray) else content[:4096].encode("utf-8", "replace")
    if _HTML_SNIFF.match(head):
        return True
    return len(_TAGS.findall(head.decode("utf-8", "replace"))) >= 3


def html_to_text(html: str) -> ArticleText:
    """The main text of an HTML page, one paragraph a line, without navigation, asides and footers."""
    import trafilatura  # imported lazily: it is slow to import and only HTML needs it

    extracted = trafilatura.extract(
        html,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=True,
        deduplicate=True,
    )
    text = clean_text(extracted or "")
    if not text:
        raise ArticleInputError("No article text could be extracted from the HTML.")
    note = "Extracted from HTML: navigation, asides, comments, captions and footers removed."
    return ArticleText(text=text, format="html", furniture_note=note)


def article_text(content: bytes, *, filename: str = "", max_bytes: int, title: str = "") -> ArticleText:
    """Validate and decode an uploaded file, extract its main text if HTML, and clean it.

    A first line that repeats ``title`` (the headline, kept by a copy or an extraction) is
    dropped: the title is the source's own field, not a paragraph of its body.
    """
    value = decode(content, max_bytes=max_bytes)
    if looks_like_html(content, filename):
        article = html_to_text(value)
    else:
        text = clean_text(value)
        if not text:
            raise ArticleInputError("The file holds no text.")
        article = ArticleText(text=text, format="text")
    body = without_headline(article.text, title)
    return article if body == article.text else ArticleText(body, article.format, article.furniture_note)


def without_headline(text: str, title: str) -> str:
    """``text`` without its first line when that line is ``title`` (in any case or spacing) and more follows."""
    first, _, rest = text.partition("\n")
    if not title.strip() or not rest.strip() or normalize_name(first) != normalize_name(title):
        return text
    return rest.strip()
