"""The conversations the chat keeps in the browser (gr.BrowserState, i.e. localStorage), never on
the server: their shape, read as untrusted input, their limits, and the changes the chat makes."""

from __future__ import annotations

import hashlib
import hmac
import html
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant import Answer, Settings

from .access import Access

# Conversations kept in the browser (gr.BrowserState, i.e. localStorage), never on the server.
# The stored value is {scope: {"current": id or None, "conversations": [Conversation, latest first]}}:
# a scope (today the default collection, see conversation_scope) never sees another's conversations.
# It comes back from the browser on every event, so it is read as untrusted input: whatever does not
# have the shape below is dropped, one conversation at a time (read_store).
CONVERSATIONS_KEY = "cited-assistant-conversations"
MAX_CONVERSATIONS = 20  # per scope
MAX_STORE_BYTES = 1_500_000  # of JSON; localStorage holds about 5 MB per origin, and encrypting adds a third
TITLE_CHARS = 60


class ChatMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Conversation(BaseModel):
    """One conversation as the chat showed it, with the answers behind it (chat message index ->
    Answer, for feedback and for the history a follow-up is asked with)."""

    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    title: str = Field(max_length=TITLE_CHARS)
    time: float = Field(ge=0)
    messages: list[ChatMessage]
    answers: dict[str, Answer]

    @model_validator(mode="after")
    def _answers_are_assistant_messages(self) -> Conversation:
        for key in self.answers:
            if not (key.isdigit() and int(key) < len(self.messages) and self.messages[int(key)].role == "assistant"):
                raise ValueError(f"answer {key!r} is not one of the conversation's assistant messages")
        return self

    def label(self) -> str:
        return f"{self.title} · {datetime.fromtimestamp(self.time, tz=UTC):%Y-%m-%d %H:%M} UTC"


class Shelf(BaseModel):
    """One scope's conversations, the latest first, and the one the chat shows (None: a new one)."""

    current: str | None = None
    conversations: list[Conversation] = Field(default_factory=list)

    def find(self, conversation_id: str | None) -> Conversation | None:
        return next((c for c in self.conversations if c.id == conversation_id), None)


Store = dict[str, Shelf]


def read_store(value: object) -> Store:
    """The conversations stored in the browser, by scope, as far as they are well formed: a value of
    another shape (tampered with, or written by another version) is ignored, never trusted.

    >>> read_store({"documents": {"current": 7, "conversations": [{"id": "x"}]}, "other": []})
    {'documents': Shelf(current=None, conversations=[])}
    """
    store: Store = {}
    for scope, entry in value.items() if isinstance(value, dict) else ():
        if not isinstance(scope, str) or not isinstance(entry, dict):
            continue
        items = entry.get("conversations")
        conversations = []
        for item in items if isinstance(items, list) else ():
            try:
                conversations.append(Conversation.model_validate(item))
            except ValidationError:
                continue
        conversations = sorted(conversations, key=lambda c: c.time, reverse=True)[:MAX_CONVERSATIONS]
        current = entry.get("current")
        shelf = Shelf(conversations=conversations)
        shelf.current = current if isinstance(current, str) and shelf.find(current) else None
        store[scope] = shelf
    return store


def dump_store(store: Store) -> dict[str, Any]:
    """The JSON the browser keeps (empty shelves left out)."""
    return {scope: shelf.model_dump(mode="json") for scope, shelf in store.items()
            if shelf.conversations or shelf.current}


def conversation_of_chat(conversation_id: str, messages: list[dict], answers: dict, now: float) -> Conversation | None:
    """The conversation to store for the chat as shown (Gradio's messages) and its answers; None for
    an empty chat. Its title is its first question."""
    shown = [ChatMessage(role=m["role"], content=_message_text(m.get("content"))) for m in messages
             if isinstance(m, dict) and m.get("role") in ("user", "assistant")]
    if not shown:
        return None
    kept = {key: Answer.model_validate(a) for key, a in sorted(answers.items(), key=lambda kv: int(kv[0]))
            if key.isdigit() and int(key) < len(shown) and shown[int(key)].role == "assistant"}
    first = next(iter(kept.values()), None)
    question = first.question if first else html.unescape(next((m.content for m in shown if m.role == "user"), ""))
    title = " ".join(question.split()) or "Conversation"
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    return Conversation(id=conversation_id, title=title, time=now, messages=shown, answers=kept)


def text_messages(history: object) -> list[dict]:
    """The chat's messages as the page sent them, kept as text only: a file, an image or any other
    part a client may put in a message is dropped, never handed back to it.

    >>> text_messages([{"role": "user", "content": [{"type": "file", "file": {"path": "/etc/passwd"}}]},
    ...                {"role": "assistant", "content": [{"type": "text", "text": "<div>hi</div>"}]}, "junk"])
    [{'role': 'assistant', 'content': '<div>hi</div>'}]
    """
    kept = []
    for message in history if isinstance(history, list) else []:
        if isinstance(message, dict) and message.get("role") in ("user", "assistant"):
            text = _message_text(message.get("content"))
            if text:
                kept.append({"role": message["role"], "content": text})
    return kept


def _message_text(content: object) -> str:
    # Gradio hands a message back as a list of parts ({"type": "text", "text": ...}); we only ever show text.
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str))
    return ""


def save_conversation(store: Store, scope: str, conversation: Conversation) -> Store:
    """The store with `conversation` first in its scope (replacing its earlier state) and current;
    the oldest go beyond MAX_CONVERSATIONS a scope or MAX_STORE_BYTES in all (this one last of all)."""
    shelf = store.get(scope, Shelf())
    others = [c for c in shelf.conversations if c.id != conversation.id]
    saved = {**store, scope: Shelf(current=conversation.id, conversations=[conversation, *others][:MAX_CONVERSATIONS])}
    return _within_size(saved, keep=conversation.id)


def _within_size(store: Store, keep: str) -> Store:
    stored = [(scope, c) for scope, shelf in store.items() for c in shelf.conversations]
    sizes = {(scope, c.id): len(c.model_dump_json().encode()) for scope, c in stored}
    total = sum(sizes.values())
    # Oldest first, the one just saved last: it goes only when it alone is over the limit.
    dropped = set()
    for scope, c in sorted(stored, key=lambda sc: (sc[1].id == keep, sc[1].time)):
        if total <= MAX_STORE_BYTES:
            break
        dropped.add((scope, c.id))
        total -= sizes[scope, c.id]
    if not dropped:
        return store
    return {scope: Shelf(current=shelf.current if (scope, shelf.current) not in dropped else None,
                         conversations=[c for c in shelf.conversations if (scope, c.id) not in dropped])
            for scope, shelf in store.items()}


def delete_conversation(store: Store, scope: str, conversation_id: str | None) -> Store:
    shelf = store.get(scope, Shelf())
    kept = [c for c in shelf.conversations if c.id != conversation_id]
    return {**store, scope: Shelf(current=shelf.current if shelf.current != conversation_id else None,
                                  conversations=kept)}


def with_current(store: Store, scope: str, conversation_id: str | None) -> Store:
    """The store with `conversation_id` (one of the scope's, or None for a new conversation) shown."""
    shelf = store.get(scope, Shelf())
    current = conversation_id if shelf.find(conversation_id) else None
    return {**store, scope: Shelf(current=current, conversations=shelf.conversations)}


def conversation_choices(shelf: Shelf) -> list[tuple[str, str]]:
    """(label, id) of the scope's conversations, for the "Recent conversations" dropdown."""
    return [(c.label(), c.id) for c in shelf.conversations]


def browser_state_secret(settings: Settings) -> str:
    """The key gr.BrowserState encrypts the stored conversations with.

    Gradio encrypts in the browser (AES, keyed by the SHA-256 of this secret), so the secret travels
    to the page in its config: it keeps the conversations from showing as plain text in localStorage,
    it does not hide them from the page itself. What matters is that it is the same in every worker
    and after a restart (Gradio's default is random per process, which would make every reload lose
    the conversations) and that it reveals nothing: derived one-way from the session secret when one
    is set (so changing that secret also forgets what browsers stored), otherwise a fixed value."""
    session_secret = settings.session_secret.get_secret_value()
    if not session_secret:
        return hashlib.sha256(b"cited-assistant browser conversations").hexdigest()
    return hmac.new(session_secret.encode(), b"cited-assistant browser conversations", hashlib.sha256).hexdigest()


def conversation_scope(access: Access, collection: str) -> str:
    """The scope whose stored conversations a request sees and adds to: its credential (a keyed
    hash of the key, never the key) and the collection, so a second person signing in on the same
    browser, or another collection, never shows the first one's conversations.

    >>> conversation_scope(Access("3f2a", None), "news"), conversation_scope(Access(None, None), "documents")
    ('3f2a/news', 'open/documents')
    """
    return f"{access.key_id or 'open'}/{collection}"
