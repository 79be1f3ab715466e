"""Turn answers and documents into chat HTML in which document text can only ever be text.

Documents are untrusted: a passage may hold `<script>`, `<img onerror=...>` or a Markdown image
pointing at another host. HTML is built as `ChatHTML`, markupsafe's `Markup` whose escaping writes
HTML *and* Markdown syntax characters as numeric entities: whatever is formatted into it
(`ChatHTML("<p>{}</p>").format(text)`) shows as the characters it is, whether the chat renders the
message as Markdown or as HTML, so escaping holds by construction, not by remembering to call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from assistant import Answer, Citation, Passage
from prompts import load_prompt

_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'`*_{}[]()#+-.!|~\\$:="}
_MARKER = re.compile(r"&#91;(\d+)&#93;")


class ChatHTML(Markup):
    """Markup for the chat: text formatted, joined or added into it is escaped with `escape_text`
    (HTML and Markdown characters as entities, whitespace collapsed); markup stays markup.

    >>> ChatHTML("<em>{}</em>").format("*not* <b>bold</b>")
    ChatHTML('<em>&#42;not&#42; &#60;b&#62;bold&#60;/b&#62;</em>')
    """

    __slots__ = ()

    @classmethod
    def escape(cls, s: Any, /) -> ChatHTML:
        if hasattr(s, "__html__"):
            return cls(s.__html__())
        return cls("".join(_ENTITIES.get(c, c) for c in " ".join(str(s).split())))


def escape_text(text: str) -> ChatHTML:
    """Literal text for Markdown-or-HTML rendering, whitespace collapsed.

    >>> str(escape_text("<b>x</b> ![a](http://e/p.png)"))
    '&#60;b&#62;x&#60;/b&#62; &#33;&#91;a&#93;&#40;http&#58;//e/p&#46;png&#41;'
    """
    return ChatHTML.escape(text)


def join(parts: Iterable[ChatHTML]) -> ChatHTML:
    return ChatHTML().join(parts)


def _inline(part: str) -> ChatHTML:
    # The one place markup is made from text: in the escaped text, each [n] (written as entities)
    # becomes a footnote reference. (`re` joins the pieces of a str subclass with its own `join`,
    # which for Markup would escape the references: so the substitution runs on a plain str.)
    return ChatHTML(_MARKER.sub(r'<sup class="fn">[\1]</sup>', str(escape_text(part))))


def _list(items: list[ChatHTML]) -> ChatHTML:
    return ChatHTML("<ul>{}</ul>").format(join(items))


def text_html(text: str) -> ChatHTML:
    """Answer text as HTML, every character escaped, each [n] a footnote reference. A one-paragraph
    text stays inline; otherwise blank lines separate paragraphs and lines starting "- " form lists
    (a speaker's quotations, one a line).

    >>> print(str(text_html("Budrys said:\\n- “No.” [1]\\n- “Yes.” [2]")).replace("<li>", "\\n<li>"))
    <p>Budrys said&#58;</p><ul>
    <li>“No&#46;” <sup class="fn">[1]</sup></li>
    <li>“Yes&#46;” <sup class="fn">[2]</sup></li></ul>
    """
    if "\n" not in text.strip():
        return _inline(text)
    blocks: list[ChatHTML] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        items: list[ChatHTML] = []
        for line in (line.strip() for line in paragraph.split("\n")):
            if line.startswith("- ") or line == "-":  # "-" alone: a list item still streaming in
                items.append(ChatHTML("<li>{}</li>").format(_inline(line[2:])))
                continue
            if items:
                blocks.append(_list(items))
                items = []
            if line:
                blocks.append(ChatHTML("<p>{}</p>").format(_inline(line)))
        if items:
            blocks.append(_list(items))
    return join(blocks)


def answer_html(answer: Answer, verified: bool = True, viewer: str = "") -> ChatHTML:
    """The answer text with each [n] as a footnote reference, then (with `verified`, for a final
    answer) how far it is verified, then the footnotes (closed). `viewer` goes before each
    citation's URL ("/embed" inside the embedded chat, whose credential is sent there only)."""
    html = ChatHTML('<div class="answer">{}</div>').format(text_html(answer.answer))
    if verified:
        html += verification_html(answer)
    return html + sources_html(answer, open_first=False, viewer=viewer)


def verification_html(answer: Answer) -> ChatHTML:
    """A badge with the share of the answer's sentences supported by their citations ("verified
    100%", "verified 2 of 3"), and the sentences removed as unsupported, each with its reason, in a
    closed `<details>`. Removed text is the model's, so it is escaped like document text.

    >>> from assistant.models import RemovedSentence, Verification
    >>> a = Answer(question="q", answer="a", refused=False, verification=Verification(
    ...     supported_share=0.5, removed=[RemovedSentence(text="<b>Sky</b> [9].", reason="cites no passage")]))
    >>> print(str(verification_html(a)).replace("><", ">\\n<"))
    <div class="verification-panel">
    <span class="verification">verified 1 of 2</span>
    <details class="removed">
    <summary>1 sentence removed&#58; not supported by the documents</summary>
    <ul>
    <li>
    <span class="removed-text">&#60;b&#62;Sky&#60;/b&#62; &#91;9&#93;&#46;</span> <em>cites no passage</em>
    </li>
    </ul>
    </details>
    </div>
    """
    v = answer.verification
    removed = len(v.removed)
    parts: list[ChatHTML] = []
    if not answer.refused:
        if removed:
            # supported_share = kept / (kept + removed), so the kept count comes back from it.
            kept = round(v.supported_share * removed / (1 - v.supported_share)) if v.supported_share < 1 else 0
            badge = load_prompt("verified_count").format(kept=kept, total=kept + removed)
        else:
            badge = load_prompt("verified_share").format(percent=round(100 * v.supported_share))
        parts.append(ChatHTML('<span class="verification">{}</span>').format(badge))
    if removed:
        summary = load_prompt("removed_one") if removed == 1 else load_prompt("removed_many").format(count=removed)
        items = join(
            ChatHTML('<li><span class="removed-text">{}</span> <em>{}</em></li>').format(r.text, r.reason)
            for r in v.removed
        )
        details = ChatHTML('<details class="removed"><summary>{}</summary><ul>{}</ul></details>')
        parts.append(details.format(summary, items))
    return ChatHTML('<div class="verification-panel">{}</div>').format(join(parts)) if parts else ChatHTML()


def sources_html(answer: Answer, open_first: bool = False, viewer: str = "", target: str = "_blank") -> ChatHTML:
    """One `<details>` per citation: source label (with a PDF's page), the cited passage with the
    quote marked, and a link that opens it in its document (`target`: the window or frame)."""
    if not answer.citations:
        return ChatHTML()
    passages = {p.chunk_id: p for p in answer.passages}
    items = join(
        footnote_html(c, passages.get(c.chunk_id), opened=open_first and i == 0, viewer=viewer, target=target)
        for i, c in enumerate(answer.citations)
    )
    return ChatHTML('<div class="sources"><strong>{}</strong>{}</div>').format(load_prompt("sources_heading"), items)


def footnote_html(
    citation: Citation, passage: Passage | None, opened: bool = False, viewer: str = "", target: str = "_blank"
) -> ChatHTML:
    label = load_prompt("source_label").format(
        n=citation.n, title=citation.title, source=citation.source, start=citation.start, end=citation.end
    )
    if citation.page is not None:
        label = f"{label}, {load_prompt('page_label').format(page=citation.page)}"
    if passage and passage.start <= citation.start and citation.end <= passage.end:
        before = passage.text[: citation.start - passage.start]
        after = passage.text[citation.end - passage.start :]
    else:
        before = after = ""
    # A space beside the mark only where the document has one: "essence." stays "essence.", not "essence ."
    gap_before = ChatHTML(" " if before[-1:].isspace() else "")
    gap_after = ChatHTML(" " if after[:1].isspace() else "")
    body = ChatHTML("{}{}<mark>{}</mark>{}{}").format(before, gap_before, citation.quote, gap_after, after).strip()
    link = ChatHTML()
    if viewer_url(citation.url):  # our own viewer: never another site or another of our pages
        link = ChatHTML('<a class="open-document" href="{}" target="{}" rel="noopener">{}</a>').format(
            viewer + citation.url, ChatHTML(re.sub(r"[^\w-]", "", target)), load_prompt("open_in_document"))
    return ChatHTML(
        '<details class="footnote" data-n="{}"{}><summary>{}</summary><blockquote>{}</blockquote>{}</details>'
    ).format(citation.n, ChatHTML(" open" if opened else ""), label, body, link)


VIEWER_FRAME = "citation-viewer"
# What a citation's URL is, exactly (assistant/pipeline.py `citation_url`): anything else, say from a
# conversation the browser stored and someone edited, is never linked nor framed.
_VIEWER_URL = re.compile(r"/documents/[0-9a-f]{16}\?start=\d+&end=\d+")


def viewer_url(url: str | None) -> str | None:
    """`url` if it is a citation's URL of this server's viewer, else None.

    >>> viewer_url("/documents/cf81b2c5824e8abc?start=1&end=5"), viewer_url("/documents/../logout")
    ('/documents/cf81b2c5824e8abc?start=1&end=5', None)
    """
    return url if url and _VIEWER_URL.fullmatch(url) else None


def viewer_frame(answer: Answer, viewer: str = "") -> ChatHTML:
    """The viewer inside the chat: a frame showing the first citation in its document, where the
    sources panel's links (target `VIEWER_FRAME`) open the others."""
    first = next((c.url for c in answer.citations if viewer_url(c.url)), None)
    if first is None:
        return ChatHTML()
    return ChatHTML('<iframe name="{}" class="viewer-frame" title="{}" src="{}"></iframe>').format(
        ChatHTML(VIEWER_FRAME), load_prompt("open_in_document"), viewer + first)


def answer_plain(answer: Answer) -> str:
    """The answer and its sources as plain text, for the copy button."""
    lines = [answer.answer]
    for c in answer.citations:
        page = f", {load_prompt('page_label').format(page=c.page)}" if c.page is not None else ""
        lines.append(f"[{c.n}] {c.title} ({c.source}{page}): {' '.join(c.quote.split())}")
    return "\n".join(lines)
