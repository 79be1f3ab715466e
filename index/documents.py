"""Load files into `Document`s: clean text, a title, and the hash of the file's bytes.

The text a `Document` holds is the reference for every character offset downstream: chunks and
citations point into it. Supported: .txt, .md, .html/.htm (text only), .pdf (via pypdf).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}
_MAX_TITLE_CHARS = 120
_HTML_BLOCKS = [
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote", "pre",
    "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "caption", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "form", "fieldset", "address", "details", "summary",
]


class LoadError(Exception):
    """A file could not be turned into a document; the message says why and what to do."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Document:
    text: str
    source: str  # how it is shown to people: relative to the root it was ingested from, never a server path
    title: str
    sha256: str  # of the file's bytes: decides whether a file must be ingested again
    path: str  # absolute path: the document's identity in the index
    title_from_filename: bool = False  # no title in the content: shown to people, but not embedded
    pages: tuple[int, ...] = ()  # a PDF's: where each page starts in `text` (page n starts at pages[n - 1])


def page_of(pages: tuple[int, ...] | list[int], offset: int) -> int | None:
    """The page (from 1) holding the character at `offset`, or None for a document without pages.

    >>> page_of((0, 120, 300), 0), page_of((0, 120, 300), 150), page_of((0, 120, 300), 999), page_of((), 5)
    (1, 2, 3, None)
    """
    if not pages:
        return None
    return max(1, bisect.bisect_right(list(pages), offset))


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shown(text: str) -> str:
    """`text` as it may go into a log line or a terminal: unchanged when it is printable, else
    quoted with its control characters escaped, so a file name cannot forge a line or a colour.

    >>> shown("seeds/a.txt"), shown("evil\\nWARNING: x.txt")
    ('seeds/a.txt', "'evil\\\\nWARNING: x.txt'")
    """
    return text if text.isprintable() else repr(text)


def display_source(path: Path) -> str:
    """`seeds/a.txt` for a file under the working directory, else the absolute path."""
    path = path.resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load_document(path: str | Path, data: bytes | None = None, source: str | None = None) -> Document:
    """Read one file into a Document, or raise LoadError saying what is wrong with it. `source` is
    its name for people (default: relative to the working directory, `display_source`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(
            path, f"unsupported file type {suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LoadError(path, f"cannot be read ({exc.strerror or exc})") from exc
    pages: tuple[int, ...] = ()
    if suffix == ".pdf":
        text, title, pages = _pdf_text(path, data)
    else:
        raw = _decode(path, data)
        if suffix in {".html", ".htm"}:
            text, title = _html_text(raw)
        elif suffix in {".md", ".markdown"}:
            text, title = raw, _markdown_title(raw)
        else:
            text, title = raw, None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise LoadError(path, "is empty (no text to index); add text to it or remove it")
    title = title or _first_line_title(text)
    return Document(
        text=text,
        source=source or display_source(path),
        title=title or filename_title(path),
        sha256=file_sha256(data),
        path=str(path.resolve()),
        title_from_filename=title is None,
        pages=pages,
    )


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise LoadError(path, "looks binary (contains NUL bytes), not text; remove it or export it as text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            path, f"is not valid UTF-8 (bad byte at offset {exc.start}); re-save it as UTF-8"
        ) from exc


def _html_text(raw: str) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg"]):
        tag.decompose()
    title = None
    if soup.title and soup.title.get_text(strip=True):
        title = soup.title.get_text(" ", strip=True)
    elif h1 := soup.find("h1"):
        title = h1.get_text(" ", strip=True)
    for tag in soup(["head", "title"]):
        tag.decompose()
    # Line breaks only around blocks: inline markup (<b>U.S.</b>) must not split a sentence.
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    lines = (re.sub(r"\s+", " ", line).strip() for line in soup.get_text("").split("\n"))
    return "\n".join(line for line in lines if line), title


def _markdown_title(raw: str) -> str | None:
    match = re.search(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", raw, flags=re.MULTILINE)
    return match.group(1) if match else None


def _pdf_text(path: Path, data: bytes) -> tuple[str, str | None, tuple[int, ...]]:
    """The text of a PDF's pages, a blank line between pages, its title, and where each page with
    text starts in that text (pages without text are left out, as in the text)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = reader.metadata.get("/Title") if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(path, f"is not a readable PDF ({exc}); re-export it or remove it") from exc
    title = (str(meta_title).strip() or None) if meta_title else None
    kept = [p.strip().replace("\r\n", "\n").replace("\r", "\n") for p in pages]
    # pages[n - 1] is where page n starts in the text; a page without text starts where the next does.
    starts, at = [], 0
    for page in kept:
        starts.append(at)
        if page:
            at += len(page) + 2  # the blank line between pages
    return "\n\n".join(p for p in kept if p), title, tuple(starts)


def _first_line_title(text: str) -> str | None:
    """The first line, when it reads like a title (short, not a sentence).

    >>> _first_line_title("Super Bowl 50\\nSuper Bowl 50 was an American football game.")
    'Super Bowl 50'
    """
    first = text.strip().split("\n", 1)[0].strip().lstrip("#").strip()
    if 0 < len(first) <= _MAX_TITLE_CHARS and not first.endswith((".", "…", "?", "!", ":")):
        return first
    return None


def filename_title(path: Path) -> str:
    """`lithuania-critical-minerals.txt` -> `Lithuania critical minerals`."""
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else path.name
