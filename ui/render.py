"""Turn answers and documents into chat HTML in which document text can only ever be text.

Documents are untrusted: a passage may hold `<script>`, `<img onerror=...>` or a Markdown image
pointing at another host. Every character taken from a document or an answer goes through
`escape_text`, which writes HTML *and* Markdown syntax characters as numeric entities: they show
as the characters they are, whether the chat renders the message as Markdown or as HTML.
"""

from __future__ import annotations

import re

from assistant import Answer, Citation, Passage
from prompts import load_prompt

_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'`*_{}[]()#+-.!|~\\$:="}
_MARKER = re.compile(r"&#91;(\d+)&#93;")


def escape_text(text: str) -> str:
    """Literal text for Markdown-or-HTML rendering, whitespace collapsed.

    >>> escape_text("<b>x</b> ![a](http://e/p.png)")
    '&#60;b&#62;x&#60;/b&#62; &#33;&#91;a&#93;&#40;http&#58;//e/p&#46;png&#41;'
    """
    return "".join(_ENTITIES.get(c, c) for c in " ".join(text.split()))


def text_html(text: str) -> str:
    """Answer text as HTML, every character escaped, each [n] a footnote reference. A one-paragraph
    text stays inline; otherwise blank lines separate paragraphs and lines starting "- " form lists
    (a speaker's quotations, one a line).

    >>> text_html("Budrys said:\\n- “No.” [1]\\n- “Yes.” [2]")
    '<p>Budrys said&#58;</p><ul><li>“No&#46;” <sup class="fn">[1]</sup></li><li>“Yes&#46;” <sup class="fn">[2]</sup></li></ul>'
    """

    def inline(part: str) -> str:
        return _MARKER.sub(r'<sup class="fn">[\1]</sup>', escape_text(part))

    if "\n" not in text.strip():
        return inline(text)
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        items: list[str] = []
        for line in (line.strip() for line in paragraph.split("\n")):
            if line.startswith("- ") or line == "-":  # "-" alone: a list item still streaming in
                items.append(f"<li>{inline(line[2:])}</li>")
                continue
            if items:
                blocks.append(f"<ul>{''.join(items)}</ul>")
                items = []
            if line:
                blocks.append(f"<p>{inline(line)}</p>")
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
    return "".join(blocks)


def answer_html(answer: Answer, verified: bool = True) -> str:
    """The answer text with each [n] as a footnote reference, then (with `verified`, for a final
    answer) how far it is verified, then the footnotes (closed)."""
    text = f'<div class="answer">{text_html(answer.answer)}</div>'
    if verified:
        text += verification_html(answer)
    if not answer.citations:
        return text
    return f"{text}{sources_html(answer, open_first=False)}"


def verification_html(answer: Answer) -> str:
    """A badge with the share of the answer's sentences supported by their citations ("verified
    100%", "verified 2 of 3"), and the sentences removed as unsupported, each with its reason, in a
    closed `<details>`. Removed text is the model's, so it is escaped like document text.

    >>> from assistant.models import RemovedSentence, Verification
    >>> a = Answer(question="q", answer="a", refused=False, verification=Verification(
    ...     supported_share=0.5, removed=[RemovedSentence(text="<b>Sky</b> [9].", reason="cites no passage")]))
    >>> print(verification_html(a).replace("><", ">\\n<"))
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
    parts = []
    if not answer.refused:
        if removed:
            # supported_share = kept / (kept + removed), so the kept count comes back from it.
            kept = round(v.supported_share * removed / (1 - v.supported_share)) if v.supported_share < 1 else 0
            badge = load_prompt("verified_count").format(kept=kept, total=kept + removed)
        else:
            badge = load_prompt("verified_share").format(percent=round(100 * v.supported_share))
        parts.append(f'<span class="verification">{escape_text(badge)}</span>')
    if removed:
        summary = load_prompt("removed_one") if removed == 1 else load_prompt("removed_many").format(count=removed)
        items = "".join(
            f'<li><span class="removed-text">{escape_text(r.text)}</span> <em>{escape_text(r.reason)}</em></li>'
            for r in v.removed
        )
        parts.append(f'<details class="removed"><summary>{escape_text(summary)}</summary><ul>{items}</ul></details>')
    return f'<div class="verification-panel">{"".join(parts)}</div>' if parts else ""


def sources_html(answer: Answer, open_first: bool = False) -> str:
    """One `<details>` per citation: source label, and the cited passage with the quote marked."""
    if not answer.citations:
        return ""
    passages = {p.chunk_id: p for p in answer.passages}
    items = [
        footnote_html(c, passages.get(c.chunk_id), opened=open_first and i == 0)
        for i, c in enumerate(answer.citations)
    ]
    heading = escape_text(load_prompt("sources_heading"))
    return f'<div class="sources"><strong>{heading}</strong>{"".join(items)}</div>'


def footnote_html(citation: Citation, passage: Passage | None, opened: bool = False) -> str:
    label = load_prompt("source_label").format(
        n=citation.n, title=citation.title, source=citation.source, start=citation.start, end=citation.end
    )
    if passage and passage.start <= citation.start and citation.end <= passage.end:
        before = passage.text[: citation.start - passage.start]
        after = passage.text[citation.end - passage.start :]
    else:
        before = after = ""
    # A space beside the mark only where the document has one: "essence." stays "essence.", not "essence ."
    gap_before = " " if before[-1:].isspace() else ""
    gap_after = " " if after[:1].isspace() else ""
    body = f"{escape_text(before)}{gap_before}<mark>{escape_text(citation.quote)}</mark>{gap_after}{escape_text(after)}".strip()
    return (
        f'<details class="footnote" data-n="{citation.n}"{" open" if opened else ""}>'
        f"<summary>{escape_text(label)}</summary><blockquote>{body}</blockquote></details>"
    )


def answer_plain(answer: Answer) -> str:
    """The answer and its sources as plain text, for the copy button."""
    lines = [answer.answer]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.title} ({c.source}): {' '.join(c.quote.split())}")
    return "\n".join(lines)
