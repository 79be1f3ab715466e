"""The Gradio chat: streams the answer, then shows the cited passages under it."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from assistant import Assistant, AssistantError
from prompts import load_prompt

from .render import escape_text, render_answer

STREAM_STEP_WORDS = 4


def answer_stream(assistant: Assistant, message: str) -> Iterator[str]:
    """Chat messages for one question: the answer growing a few words at a time, then the
    complete answer with its sources. Problems with the question come back as a message."""
    try:
        answer = assistant.ask(message)
    except AssistantError as exc:
        yield escape_text(str(exc))
        return
    words = answer.answer.split()
    for i in range(STREAM_STEP_WORDS, len(words), STREAM_STEP_WORDS):
        yield escape_text(" ".join(words[:i]))
    yield render_answer(answer)


def build_chat(assistant: Assistant) -> gr.ChatInterface:
    def respond(message: str, history: list) -> Iterator[str]:
        yield from answer_stream(assistant, message)

    return gr.ChatInterface(
        respond,
        chatbot=gr.Chatbot(height=560, sanitize_html=True, render_markdown=True, allow_tags=False),
        title="Cited answers",
        description=load_prompt("chat_description"),
        api_name="chat",
        fill_height=True,
    )
