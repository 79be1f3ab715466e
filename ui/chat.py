"""The Gradio chat: streamed answers with footnotes, a sources panel, examples, feedback.

`build_chat(assistant)` is the full page (chat and a documents tab); `build_chat(assistant,
compact=True)` is the `/embed` variant for iframes in portals (no header, no tabs, narrow-friendly).
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import Answer, Assistant, AssistantError, StoreUnavailableError
from assistant.collections import Collections
from prompts import load_prompt

from .access import Access, gradio_access
from .auth import EMBED_PREFIX, Credentials
from .conversations import (
    CONVERSATIONS_KEY,
    Conversation,
    Shelf,
    Store,
    browser_state_secret,
    conversation_choices,
    conversation_of_chat,
    conversation_scope,
    delete_conversation,
    dump_store,
    read_store,
    save_conversation,
    text_messages,
    with_current,
)
from .documents_tab import build_documents_tab
from .render import VIEWER_FRAME, ChatHTML, answer_html, answer_plain, escape_text, sources_html, viewer_frame

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
.footnote a.open-document { display: inline-block; font-size: .85em; margin: 0 0 .35em; }
.viewer-frame { width: 100%; height: 420px; border: 1px solid var(--border-color-primary); border-radius: 6px;
  margin-top: .5em; background: #fff; }
.collection { margin: .2em 0; font-size: .9em; opacity: .85; }
.upload-status { list-style: none; padding: 0; font-size: .9em; }
.upload-done strong { color: #15803d; } .upload-refused strong { color: #b91c1c; }
#recent-conversations { align-items: end; }
"""
def answer_stream(
    assistant: Assistant, message: str, history: list[dict] | None = None, viewer: str = ""
) -> Iterator[tuple[str, Answer | None]]:
    """(chat HTML, Answer) pairs for one question: the answer text as it grows, then the final
    answer with its footnotes (which replaces the streamed text; `viewer` goes before their
    links). A problem with the question, or a store that cannot be reached (Chroma, PostgreSQL),
    comes back as a message."""
    try:
        shown = ""
        for item in assistant.ask_stream(message, history=history):
            if isinstance(item, Answer):
                yield str(answer_html(item, viewer=viewer)), item
            else:
                shown += item
                yield str(answer_html(Answer(question=message, answer=shown, refused=False), verified=False)), None
    except (AssistantError, StoreUnavailableError) as exc:
        yield str(ChatHTML('<div class="answer">{}</div>').format(str(exc))), None


def more_button(answer: Answer, shown: bool = True) -> dict:
    """The "More quotations" button after an answer: shown, with what is left, when it has a next page;
    hidden otherwise (left as it is when it is not `shown` already: no needless re-render)."""
    if answer.more is None:
        return gr.update(visible=False) if shown else gr.update()
    left = answer.more.quotations
    return gr.update(visible=True, value=f"More quotations ({left} left)")


def next_question(answer: Answer) -> str:
    """What the "More quotations" button asks after an answer: its next page, in words of its own."""
    return answer.more.ask if answer.more else ""


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
    collections: Collections | None = None, credentials: Credentials | None = None,
) -> gr.Blocks:
    """The chat page; `compact` for the /embed iframe (no header, no tabs, no side panel).
    `examples` defaults to questions drawn from the indexed documents; `sign_out` adds a sign-out
    link (when a sign-in is required). Every event answers from the collection picked on the page,
    among those the visitor's credential allows (`collections`, `credentials`: the server's; by
    default `assistant`'s collection and settings)."""
    collections = collections or Collections(assistant.settings, first=assistant)
    credentials = credentials or Credentials(assistant.settings)
    if credentials.required:  # a visitor's examples come from their own collection, once they are known
        examples = []
    elif examples is None:
        examples = assistant.example_questions()
    viewer = EMBED_PREFIX if compact else ""

    def access_of(request: gr.Request) -> Access:
        return gradio_access(request, credentials, embed=compact)

    def pick(request: gr.Request):
        """The collections the visitor may use, the default one chosen (the picker shows when there are several)."""
        access = access_of(request)
        names = access.visible(collections)
        chosen = access.default(collections) if names else None
        return gr.update(choices=names, value=chosen, visible=not compact and len(names) > 1), current_html(chosen)

    with gr.Blocks(title="Cited answers", fill_height=True) as demo:
        if compact:
            picker = gr.Dropdown(choices=[], value=None, visible=False, elem_id="collection", allow_custom_value=True)
            current = gr.HTML(elem_id="current-collection")
            _chat_panel(assistant, examples, True, collections, access_of, picker, demo)
        else:
            with gr.Row():
                gr.Markdown(f"## Cited answers\n{escape_text(load_prompt('chat_description'))}")
                current = gr.HTML(elem_id="current-collection")
                picker = gr.Dropdown(label="Collection", choices=[], value=None, visible=False, elem_id="collection",
                                     allow_custom_value=True,
                                     interactive=True, scale=0, min_width=180)
                if sign_out:
                    gr.Button("Sign out", link="/logout", size="sm", scale=0, elem_id="sign-out")
            with gr.Tabs():
                with gr.Tab("Chat", id="chat"):
                    _chat_panel(assistant, examples, False, collections, access_of, picker, demo)
                with gr.Tab("Documents", id="documents"):
                    build_documents_tab(collections, access_of, picker, viewer)
        picker.change(current_html, picker, current, api_visibility="private")
        demo.load(pick, None, [picker, current], api_visibility="private")
    return demo


def shown_messages(conversation: Conversation, viewer: str = "") -> list[dict]:
    """A stored conversation's messages as the chat shows them, rendered again here from the
    answers behind them (the browser's stored copy may have been edited: none of its markup is
    shown): an answer as `answer_html` makes it, a question as its answer records it, any other
    message as its text only.

    >>> c = Conversation.model_validate({"id": "0" * 32, "title": "q", "time": 0, "messages": [
    ...     {"role": "user", "content": "<img src=x onerror=alert(1)>"},
    ...     {"role": "assistant", "content": "<script>alert(2)</script>"}], "answers": {}})
    >>> shown_messages(c)
    [{'role': 'user', 'content': ''}, {'role': 'assistant', 'content': 'alert&#40;2&#41;'}]
    """
    shown = []
    for i, message in enumerate(conversation.messages):
        answer = conversation.answers.get(str(i))
        asked = conversation.answers.get(str(i + 1))
        if message.role == "assistant" and answer is not None:
            content = str(answer_html(answer, viewer=viewer))
        elif message.role == "user" and asked is not None:
            content = str(escape_text(asked.question))
        else:
            content = str(escape_text(re.sub(r"<[^>]*>?", "", html.unescape(message.content))))
        shown.append({"role": message.role, "content": content})
    return shown


def current_html(collection: str | None) -> str:
    """The collection the chat answers from, shown above it."""
    if not collection:
        return ""
    return str(ChatHTML('<p class="collection">{} <strong>{}</strong></p>').format(
        load_prompt("collection_label"), collection))


def _chat_panel(
    assistant: Assistant, examples: list[str], compact: bool, collections: Collections,
    access_of: Callable[[gr.Request], Access], picker: gr.Dropdown, page: gr.Blocks,
) -> None:
    """The chat, its sources panel, and the recent conversations (kept in the browser under the
    visitor's credential and collection: `conversation_scope`)."""
    answers = gr.State({})  # chat message index -> Answer JSON, for feedback
    viewer = EMBED_PREFIX if compact else ""
    settings = assistant.settings

    def scope_of(request: gr.Request, collection: str | None) -> str:
        access = access_of(request)
        return conversation_scope(access, collection or access.default(collections))

    stored = gr.BrowserState({}, storage_key=CONVERSATIONS_KEY, secret=browser_state_secret(settings))
    shown_id = gr.State(None)  # the id of the conversation shown; None until a new one is first answered
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                elem_id="chat", height=340 if compact else 520, sanitize_html=True, render_markdown=True,
                allow_tags=False, feedback_options=("Like", "Dislike"), buttons=["copy"], show_label=False,
            )
            box = gr.Textbox(
                elem_id="question", placeholder="Ask a question…", show_label=False, max_lines=4, submit_btn=True,
            )
            # The next page of a quotation answer ("What did Trump say?"): shown while there is one.
            more = gr.Button("More quotations", elem_id="more-quotations", size="sm", visible=False)
            next_ask = gr.State("")  # the question the button asks: the last answer's `more.ask`
            with gr.Row():
                new_chat = gr.Button("New conversation", elem_id="new-chat", size="sm")
                copy = gr.Button("Copy answer", elem_id="copy-answer", size="sm")
            recent_box: AbstractContextManager = (
                gr.Accordion("Recent conversations", open=False, elem_id="recent-accordion") if compact
                else gr.Row(elem_id="recent-conversations"))
            with recent_box:
                recent = gr.Dropdown(label="Recent conversations", choices=[], value=None, elem_id="recent",
                                     interactive=True, show_label=not compact, scale=4)
                delete = gr.Button("Delete", elem_id="delete-conversation", size="sm", scale=0, min_width=80)
            # Drawn from the visitor's collection on load (never from one their credential does not allow).
            tries = gr.Dataset(components=[box], samples=[[e] for e in examples], label="Try", elem_id="examples",
                               visible=bool(examples), samples_per_page=8)
        with gr.Column(scale=2, visible=not compact):
            sources = gr.HTML(elem_id="sources")
    plain = gr.Textbox(visible=False, elem_id="answer-plain")

    def respond(message: str, history: list, state: dict, collection: str | None, request: gr.Request,
                pending: str | None = None):
        """One question answered into the chat. `pending` is the button's question when the button
        asked (it hides while the next page comes); a typed question leaves the button as it is
        until its answer says whether there is a next page."""
        history = [*text_messages(history), {"role": "user", "content": str(escape_text(message))},
                   {"role": "assistant", "content": ""}]
        hide = gr.update(visible=False) if pending else gr.update()
        yield "", history, gr.update(), state, gr.update(), hide, ""
        try:  # the visitor's own access, from this very request: the page's choice is only a wish
            chosen = access_of(request).assistant(collections, collection or None)
        except AssistantError as exc:
            history[-1] = {"role": "assistant", "content": str(ChatHTML('<div class="answer">{}</div>').format(
                str(exc)))}
            yield "", history, gr.update(), state, gr.update(), gr.update(), ""
            return
        # Earlier turns as asked and answered (the chat shows them escaped, the state keeps them raw).
        turns = recent_turns([turn for a in state.values() for turn in (
            {"role": "user", "content": a["question"]}, {"role": "assistant", "content": a["answer"]})],
            settings.max_history_turns, settings.max_history_chars)
        for content, answer in answer_stream(chosen, message, turns, viewer=viewer):
            history[-1] = {"role": "assistant", "content": content}
            if answer is None:
                yield "", history, gr.update(), state, gr.update(), gr.update(), gr.update()
            else:
                state = {**state, str(len(history) - 1): answer.model_dump()}
                panel = sources_html(answer, open_first=True, viewer=viewer, target=VIEWER_FRAME) + viewer_frame(
                    answer, viewer)
                button = more_button(answer, shown=pending is None or bool(pending))
                yield "", history, str(panel), state, answer_plain(answer), button, next_question(answer)

    def on_like(data: gr.LikeData, state: dict) -> None:
        index = data.index if isinstance(data.index, int) else data.index[0]
        answer = state.get(str(index))
        if answer:
            record_feedback(settings.feedback_path, answer, data.liked)

    def examples_of(collection: str | None, request: gr.Request):
        try:
            questions = access_of(request).assistant(collections, collection or None).example_questions()
        except AssistantError:
            questions = []
        return gr.update(samples=[[q] for q in questions], visible=bool(questions))

    answered = [box, chatbot, sources, answers, plain, more, next_ask]
    chat_event = box.submit(respond, [box, chatbot, answers, picker], answered, api_name="chat")

    def respond_more(pending: str, history: list, state: dict, collection: str | None, request: gr.Request):
        yield from respond(pending, history, state, collection, request, pending)

    more_event = more.click(respond_more, [next_ask, chatbot, answers, picker], answered, api_visibility="private")
    tries.click(lambda sample: sample[0], tries, box, api_visibility="private")
    picker.change(examples_of, picker, tries, api_visibility="private")
    chatbot.like(on_like, [answers], None)

    # The conversations in the browser: restored on load, saved after every answer, reopened, deleted.
    shown = [chatbot, sources, answers, plain, shown_id, more, next_ask]

    def showing(conversation: Conversation | None) -> tuple[list, str, dict, str, str | None, Any, str]:
        """What `shown` holds for a stored conversation (None: a new, empty one)."""
        if conversation is None:
            return [], "", {}, "", None, gr.update(visible=False), ""
        last = next(reversed(conversation.answers.values()), None)
        panel = "" if last is None else str(sources_html(last, open_first=True, viewer=viewer, target=VIEWER_FRAME)
                                            + viewer_frame(last, viewer))
        return (shown_messages(conversation, viewer), panel,
                {key: a.model_dump() for key, a in conversation.answers.items()},
                "" if last is None else answer_plain(last), conversation.id,
                gr.update(visible=False) if last is None else more_button(last),
                "" if last is None else next_question(last))

    def listing(store: Store, where: str):
        shelf = store.get(where, Shelf())
        return gr.update(choices=conversation_choices(shelf), value=shelf.current)

    def restore(value: object, collection: str | None, request: gr.Request):
        store, where = read_store(value), scope_of(request, collection)
        shelf = store.get(where, Shelf())
        return *showing(shelf.find(shelf.current)), dump_store(store), listing(store, where)

    def remember(history: list, state: dict, conversation_id: str | None, value: object, collection: str | None,
                 request: gr.Request):
        store, where = read_store(value), scope_of(request, collection)
        conversation = conversation_of_chat(conversation_id or uuid.uuid4().hex, history, state, time.time())
        if conversation is None:
            return conversation_id, gr.update(), gr.update()
        store = save_conversation(store, where, conversation)
        return conversation.id, dump_store(store), listing(store, where)

    def start_new(value: object, collection: str | None, request: gr.Request):
        store, where = read_store(value), scope_of(request, collection)
        store = with_current(store, where, None)
        return *showing(None), dump_store(store), listing(store, where)

    def reopen(conversation_id: str | None, value: object, collection: str | None, request: gr.Request):
        store, where = read_store(value), scope_of(request, collection)
        store = with_current(store, where, conversation_id)
        shelf = store[where]
        return *showing(shelf.find(shelf.current)), dump_store(store), listing(store, where)

    def forget(conversation_id: str | None, current_id: str | None, value: object, collection: str | None,
               request: gr.Request):
        store, where = read_store(value), scope_of(request, collection)
        store = delete_conversation(store, where, conversation_id)
        kept = showing(None) if conversation_id == current_id else (gr.update(),) * len(shown)
        return *kept, dump_store(store), listing(store, where)

    private: dict[str, Any] = {"api_visibility": "private"}
    page.load(restore, [stored, picker], [*shown, stored, recent], **private)
    for event in (chat_event, more_event):
        event.then(remember, [chatbot, answers, shown_id, stored, picker], [shown_id, stored, recent], **private)
    new_chat.click(start_new, [stored, picker], [*shown, stored, recent], **private)
    # Another collection: its own conversations, the one last shown there first.
    picker.input(restore, [stored, picker], [*shown, stored, recent], **private)
    recent.input(reopen, [recent, stored, picker], [*shown, stored, recent], **private)
    delete.click(forget, [recent, shown_id, stored, picker], [*shown, stored, recent], **private)
    copy.click(None, plain, None, js="(text) => { navigator.clipboard.writeText(text); }")
