"""The Gradio chat: streamed answers with footnotes, a sources panel, examples, feedback.

`build_chat(assistant)` is the full page (chat and a documents tab); `build_chat(assistant,
compact=True)` is the `/embed` variant for iframes in portals (no header, no tabs, narrow-friendly).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import gradio as gr

from assistant import Answer, Assistant, AssistantError
from prompts import load_prompt

from .render import ChatHTML, answer_html, answer_plain, escape_text, join, sources_html

CSS = """
.answer sup.fn { color: var(--color-accent); font-weight: 600; }
.footnote { margin: .35em 0; border-left: 3px solid var(--color-accent); padding-left: .5em; }
.footnote summary { cursor: pointer; font-size: .9em; }
.footnote blockquote { margin: .35em 0; font-size: .92em; }
.footnote mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.verification { display: inline-block; font-size: .8em; padding: 0 .5em; border-radius: 1em;
  border: 1px solid var(--color-accent); color: var(--color-accent); margin: .3em 0; }
.removed { font-size: .85em; margin: .2em 0; }
.removed summary { cursor: pointer; }
.removed li em { opacity: .75; }
.compact footer, .compact .footer { display: none !important; }
"""
def answer_stream(
    assistant: Assistant, message: str, history: list[dict] | None = None
) -> Iterator[tuple[str, Answer | None]]:
    """(chat HTML, Answer) pairs for one question: the answer text as it grows, then the final
    answer with its footnotes (which replaces the streamed text). A problem with the question
    comes back as a message."""
    try:
        shown = ""
        for item in assistant.ask_stream(message, history=history):
            if isinstance(item, Answer):
                yield str(answer_html(item)), item
            else:
                shown += item
                yield str(answer_html(Answer(question=message, answer=shown, refused=False), verified=False)), None
    except AssistantError as exc:
        yield str(ChatHTML('<div class="answer">{}</div>').format(str(exc))), None


def recent_turns(turns: list[dict], max_turns: int, max_chars: int) -> list[dict]:
    """The latest turns that fit the server's history limits (a long chat forgets its beginning).

    >>> recent_turns([{"content": "aaaa"}, {"content": "bb"}, {"content": "c"}], 5, 3)
    [{'content': 'bb'}, {'content': 'c'}]
    """
    kept: list[dict] = []
    chars = 0
    for turn in reversed(turns[-max_turns:] if max_turns else []):
        chars += len(turn["content"])
        if chars > max_chars:
            break
        kept.append(turn)
    return kept[::-1]


def documents_html(assistant: Assistant) -> str:
    """The Documents tab: what is indexed, in catalogue order, every field escaped."""
    rows = join(
        ChatHTML("<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{:%Y-%m-%d %H:%M} UTC</td></tr>").format(
            d.title, d.source, d.chunks, datetime.fromtimestamp(d.ingested_at, tz=UTC))
        for d in assistant.documents()
    )
    if not rows:
        return str(ChatHTML("<p>{}</p>").format(load_prompt("no_index")))
    return str(ChatHTML(
        '<table class="documents"><thead><tr><th>Title</th><th>Source</th><th>Chunks</th><th>Ingested</th>'
        "</tr></thead><tbody>{}</tbody></table>"
    ).format(rows))


def record_feedback(path: Path, answer: dict, liked: bool | str | None) -> None:
    """Append one thumbs up/down to the JSONL log: question, answer, citations, verdict (True for
    up, False for down; Gradio passes the option's text for any other feedback option)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "liked": liked,
        "question": answer["question"],
        "answer": answer["answer"],
        "citations": answer["citations"],
    }
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")


def build_chat(
    assistant: Assistant, compact: bool = False, examples: list[str] | None = None, sign_out: bool = False,
) -> gr.Blocks:
    """The chat page; `compact` for the /embed iframe (no header, no tabs, no side panel).
    `examples` defaults to questions drawn from the indexed documents; `sign_out` adds a sign-out
    link (when a sign-in is required)."""
    examples = assistant.example_questions() if examples is None else examples
    with gr.Blocks(title="Cited answers", fill_height=True) as demo:
        if compact:
            _chat_panel(assistant, examples, compact=True)
        else:
            with gr.Row():
                gr.Markdown(f"## Cited answers\n{escape_text(load_prompt('chat_description'))}")
                if sign_out:
                    gr.Button("Sign out", link="/logout", size="sm", scale=0, elem_id="sign-out")
            with gr.Tabs():
                with gr.Tab("Chat", id="chat"):
                    _chat_panel(assistant, examples, compact=False)
                with gr.Tab("Documents", id="documents"):
                    documents = gr.HTML(elem_id="documents")
                    refresh = gr.Button("Refresh", size="sm")
            refresh.click(lambda: documents_html(assistant), outputs=documents)
            demo.load(lambda: documents_html(assistant), outputs=documents)
    return demo


def _chat_panel(assistant: Assistant, examples: list[str], compact: bool) -> None:
    answers = gr.State({})  # chat message index -> Answer JSON, for feedback
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                elem_id="chat", height=340 if compact else 520, sanitize_html=True, render_markdown=True,
                allow_tags=False, feedback_options=("Like", "Dislike"), buttons=["copy"], show_label=False,
            )
            box = gr.Textbox(
                elem_id="question", placeholder="Ask a question…", show_label=False, max_lines=4, submit_btn=True,
            )
            with gr.Row():
                new_chat = gr.Button("New conversation", elem_id="new-chat", size="sm")
                copy = gr.Button("Copy answer", elem_id="copy-answer", size="sm")
            if examples:
                gr.Examples(examples=examples, inputs=box, label="Try")
        with gr.Column(scale=2, visible=not compact):
            sources = gr.HTML(elem_id="sources")
    plain = gr.Textbox(visible=False, elem_id="answer-plain")

    def respond(message: str, history: list, state: dict):
        history = [*(history or []), {"role": "user", "content": str(escape_text(message))},
                   {"role": "assistant", "content": ""}]
        yield "", history, gr.update(), state, gr.update()
        # Earlier turns as asked and answered (the chat shows them escaped, the state keeps them raw).
        turns = recent_turns([turn for a in state.values() for turn in (
            {"role": "user", "content": a["question"]}, {"role": "assistant", "content": a["answer"]})],
            assistant.settings.max_history_turns, assistant.settings.max_history_chars)
        for content, answer in answer_stream(assistant, message, turns):
            history[-1] = {"role": "assistant", "content": content}
            if answer is None:
                yield "", history, gr.update(), state, gr.update()
            else:
                state = {**state, str(len(history) - 1): answer.model_dump()}
                yield "", history, str(sources_html(answer, open_first=True)), state, answer_plain(answer)

    def on_like(data: gr.LikeData, state: dict) -> None:
        index = data.index if isinstance(data.index, int) else data.index[0]
        answer = state.get(str(index))
        if answer:
            record_feedback(assistant.settings.feedback_path, answer, data.liked)

    box.submit(respond, [box, chatbot, answers], [box, chatbot, sources, answers, plain], api_name="chat")
    chatbot.like(on_like, [answers], None)
    new_chat.click(lambda: ([], "", {}, ""), None, [chatbot, sources, answers, plain])
    copy.click(None, plain, None, js="(text) => { navigator.clipboard.writeText(text); }")
