"""The citation viewer: `/documents/{id}?start=&end=` shows a document with the cited characters
`text[start:end]` highlighted and scrolled into view; a PDF one page at a time.

The same page is served at `/embed/documents/{id}` (compact, for the embedded chat, where only the
embed cookie is sent) and compact anywhere with `?embed=1`. It shows a document only from the
collections the request's credential may see (`ui.access`): any other id is a 404. Document text is
untrusted and always escaped; the page's own style and script run under a nonce, nothing else does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from assistant import page_of
from assistant.errors import UnknownCollectionError, UnknownDocumentError

from .access import AccessDep, CollectionForbiddenError, CollectionsDep
from .auth import EMBED_PREFIX
from .documents_api import find_document

router = APIRouter(tags=["viewer"])
HEADERS = {"X-Robots-Tag": "noindex", "Cache-Control": "private"}
Offset = Annotated[str | None, Query(description="A character offset in the document's text (from 0).")]


class OffsetError(ValueError):
    """The start, end or page asked for cannot be shown (the viewer answers 422)."""


@dataclass(frozen=True)
class Selection:
    """What of a document the page shows: `text[shown[0]:shown[1]]`, with `text[marked[0]:marked[1]]`
    highlighted when it is on the page; for a PDF, which page of how many."""

    shown: tuple[int, int]
    marked: tuple[int, int] | None = None
    page: int | None = None
    pages: int = 0
    cited_page: int | None = None  # where the citation starts, when it is not on this page
    continued_from: int | None = None
    continues_on: int | None = None


def _whole(name: str, value: str | None) -> int | None:
    """An offset from the query: a whole number of characters, written in ASCII digits.

    >>> _whole("start", "12"), _whole("start", None)
    (12, None)
    """
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        raise OffsetError(f"{name} must be a whole number from 0 (a character offset in the document), not {value!r}")
    return int(value)


def select(length: int, page_starts: tuple[int, ...], start: int | None, end: int | None,
           page: int | None = None) -> Selection:
    """What to show of a text of `length` characters for the citation `start`..`end` (or none), on
    `page` (default: the page holding `start`, else the first); OffsetError when they cannot be.

    >>> select(100, (), 10, 20).marked, select(100, (0, 50), 40, 60).continues_on
    ((10, 20), 2)
    >>> second = select(100, (0, 50), 40, 60, page=2)
    >>> second.shown, second.marked, second.continued_from
    ((50, 100), (50, 60), 1)
    """
    if (start is None) != (end is None):
        raise OffsetError("give both start and end (the cited characters, text[start:end]), or neither")
    if start is not None and end is not None:
        if start > end:
            raise OffsetError(f"start ({start}) is after end ({end}): start must not be after end")
        if end > length:
            raise OffsetError(f"end ({end}) is beyond the document's text, which has {length} characters")
    if not page_starts:
        return Selection(shown=(0, length), marked=(start, end) if start is not None and end is not None else None)
    count = len(page_starts)
    if page is None:
        page = (page_of(page_starts, start) if start is not None else None) or 1
    elif not 1 <= page <= count:
        raise OffsetError(f"page must be from 1 to {count}, not {page}")
    low = 0 if page == 1 else page_starts[page - 1]
    high = page_starts[page] if page < count else length
    if start is None or end is None:
        return Selection(shown=(low, high), page=page, pages=count)
    first, last = max(start, low), min(end, high)
    on_page = first < last or (start == end and low <= start <= high)
    return Selection(
        shown=(low, high), marked=(first, last) if on_page else None, page=page, pages=count,
        cited_page=None if on_page else page_of(page_starts, start),
        continued_from=page - 1 if on_page and start < low else None,
        continues_on=page + 1 if on_page and end > high and page < count else None,
    )


_STYLE = """
:root{color-scheme:light}
body{margin:0;background:#fbfbf8;color:#1f2328;font:17px/1.65 Charter,"Bitstream Charter","Iowan Old Style",
Georgia,serif}
.chrome{font:14px/1.4 system-ui,sans-serif;padding:.55rem 1.25rem;border-bottom:1px solid #e4e2da;background:#fff}
.chrome a{color:#0b5cad;text-decoration:none}
main{max-width:44rem;margin:0 auto;padding:1.8rem 1.25rem 4rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .35rem}
.meta,.pages,.note{font:14px/1.5 system-ui,sans-serif}
.meta{color:#57606a;margin:0 0 1rem}.meta span+span:before{content:"\\00b7";margin:0 .45em}
.pages{display:flex;gap:1rem;align-items:center;margin:.6rem 0}.pages a{color:#0b5cad}
.note{color:#6b4500;background:#fff6d6;border-left:3px solid #e0b400;padding:.3rem .7rem;margin:.6rem 0}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:1rem 0}
mark{background:#ffec8a;color:inherit;border-radius:2px;box-shadow:0 0 0 2px #ffec8a}
mark:focus{outline:none}
body.compact{font-size:15px;background:#fff}body.compact main{max-width:none;padding:.7rem .9rem 2rem}
body.compact h1{font-size:1.15rem}
@media print{.chrome,.pages{display:none}body{background:#fff;font-size:11pt}main{max-width:none;padding:0}
mark{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""
# The highlight is brought into view in the page's own viewport (a framed viewer never scrolls the
# portal around it), then focused for keyboards and screen readers.
_SCRIPT = ("var m=document.getElementById('cited');if(m){window.scrollTo(0,m.getBoundingClientRect().top+"
           "window.scrollY-window.innerHeight/3);m.focus({preventScroll:true});}")
_PAGE = Markup(
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'><meta name='robots' content='noindex'>"
    "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'nonce-{nonce}'; "
    "script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'\">"
    "<title>{title}</title><style nonce='{nonce}'>{style}</style></head>"
    "<body class='{mode}'>{chrome}<main>{body}</main><script nonce='{nonce}'>{script}</script></body></html>"
)
_CHROME = Markup("<header class='chrome'><a href='/'>\u2190 Back to the chat</a></header>")


def _page(title: str, body: Markup, compact: bool) -> str:
    nonce = secrets.token_urlsafe(16)
    return str(_PAGE.format(nonce=nonce, title=title, style=Markup(_STYLE), mode="compact" if compact else "full",
                            chrome=Markup() if compact else _CHROME, body=body, script=Markup(_SCRIPT)))


def _link(request: Request, page: int, label: str, rel: str = "") -> Markup:
    """A link to another page of the same document, keeping the citation and the mode."""
    query = {k: v for k, v in request.query_params.items() if k in ("start", "end", "collection", "embed")}
    href = f"{request.url.path}?{urlencode({**query, 'page': page})}"
    return Markup("<a href='{}'{}>{}</a>").format(href, Markup(f" rel='{rel}'") if rel else Markup(), label)


def document_page(request: Request, title: str, meta: list[str], text: str, selection: Selection,
                  compact: bool) -> str:
    """The viewer's HTML: every piece of the document escaped, the cited characters in `<mark id="cited">`."""
    parts = [Markup("<h1>{}</h1>").format(title),
             Markup("<p class='meta'>{}</p>").format(Markup().join(
                 Markup("<span>{}</span>").format(item) for item in meta if item))]
    if selection.page is not None:
        nav = [Markup("<span>Page {} of {}</span>").format(selection.page, selection.pages)]
        if selection.page > 1:
            nav.insert(0, _link(request, selection.page - 1, f"\u2190 Page {selection.page - 1}", "prev"))
        if selection.page < selection.pages:
            nav.append(_link(request, selection.page + 1, f"Page {selection.page + 1} \u2192", "next"))
        parts.append(Markup("<nav class='pages' aria-label='Pages'>{}</nav>").format(Markup(" ").join(nav)))
    if selection.cited_page is not None:
        parts.append(Markup("<p class='note'>The cited passage is on {}.</p>").format(
            _link(request, selection.cited_page, f"page {selection.cited_page}")))
    if selection.continued_from is not None:
        parts.append(Markup("<p class='note'>The cited passage begins on {}.</p>").format(
            _link(request, selection.continued_from, f"page {selection.continued_from}")))
    low, high = selection.shown
    page_end = low + len(text[low:high].rstrip())  # a page's text, without the blank line after it
    if selection.page is not None and (selection.marked is None or selection.marked[1] <= page_end):
        high = page_end
    if selection.marked is None:
        body = Markup("{}").format(text[low:high])
    else:
        first, last = selection.marked
        if selection.continues_on is not None:  # to the end of the page's text, not the blank line after it
            kept = len(text[first:last].rstrip())
            last = first + kept if kept else last
        body = Markup("{}<mark id='cited' tabindex='-1'>{}</mark>{}").format(
            text[low:first], text[first:last], text[last:high])
    parts.append(Markup("<div class='text'>{}</div>").format(body))
    if selection.continues_on is not None:
        parts.append(Markup("<p class='note'>The cited passage continues on {}.</p>").format(
            _link(request, selection.continues_on, f"page {selection.continues_on}")))
    return _page(title, Markup().join(parts), compact)


def _refusal(request: Request, status: int, message: str, compact: bool) -> Response:
    """An error as the asker reads it: a page for a browser (as `ui.auth` decides), else JSON."""
    if "text/html" in request.headers.get("accept", ""):
        title = {404: "Document not found", 403: "Not allowed"}.get(status, "Cannot show this")
        body = Markup("<h1>{}</h1><p class='note'>{}</p>").format(title, message)
        return HTMLResponse(_page(title, body, compact), status_code=status, headers=HEADERS)
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


@router.get("/documents/{doc_id}", response_class=HTMLResponse, summary="A citation shown in its document")
@router.get(EMBED_PREFIX + "/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
def view_document(
    request: Request, doc_id: str, collections: CollectionsDep, access: AccessDep,
    start: Offset = None, end: Offset = None,
    page: Annotated[str | None, Query(description="A PDF's page to show (default: the one holding start).")] = None,
    collection: Annotated[str | None, Query(description="The collection (default: any the visitor may see).")]
    = None,
) -> Response:
    compact = request.url.path.startswith(EMBED_PREFIX + "/") or request.query_params.get("embed") in ("1", "true")
    try:
        assistant, view = find_document(collections, access, doc_id, collection)
        offsets = _whole("start", start), _whole("end", end)
        selection = select(len(view.text), view.record.pages, *offsets, page=_whole("page", page))
    except (UnknownDocumentError, UnknownCollectionError) as exc:
        return _refusal(request, 404, str(exc), compact)
    except CollectionForbiddenError as exc:
        return _refusal(request, 403, str(exc), compact)
    except OffsetError as exc:
        return _refusal(request, 422, str(exc), compact)
    record = view.record
    meta = [record.source, record.date or "", f"collection {assistant.collection}"]
    html = document_page(request, record.title, meta, view.text, selection, compact)
    return HTMLResponse(html, headers=HEADERS)
