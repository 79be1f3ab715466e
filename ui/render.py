"""Turn an Answer into chat Markdown in which document text can only ever be text.

Documents are untrusted: a passage may hold `<script>`, `<img onerror=...>` or a Markdown image
pointing at another host. Everything taken from a document or an answer is escaped for both HTML
and Markdown before it reaches the chat, so it shows as the characters it is and runs nothing.
"""

from __future__ import annotations

import html
import re

from assistant import Answer
from prompts import load_prompt

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape_text(text: str) -> str:
    """Literal text for Markdown-with-HTML rendering.

    >>> escape_text('<img src=x onerror=alert(1)> ![a](http://evil/x.png)')
    '&lt;img src=x onerror=alert\\\\(1\\\\)&gt; \\\\!\\\\[a\\\\]\\\\(http://evil/x\\\\.png\\\\)'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=True))


def render_answer(answer: Answer) -> str:
    """The answer, then its sources: each [n] with title, file and the exact quoted passage."""
    parts = [escape_text(answer.answer)]
    if answer.citations:
        parts.append(f"**{escape_text(load_prompt('sources_heading'))}**")
        for c in answer.citations:
            label = load_prompt("source_label").format(n=c.n, title=c.title, source=c.source, start=c.start, end=c.end)
            parts.append(f"{escape_text(label)}\n> {escape_text(c.quote)}")
    return "\n\n".join(parts)
