"""The chat's rendering and streaming, and the REST API beside it, over the real seed index."""

from __future__ import annotations

import pytest

from assistant import Answer, Citation
from ui.chat import answer_stream
from ui.render import escape_text, render_answer

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "![tracker](http://evil.example/pixel.png)",
    "[click](javascript:alert(1))",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_document_text_cannot_become_markup(text):
    escaped = escape_text(text)
    assert "<" not in escaped and ">" not in escaped.replace("&gt;", "")
    assert "![" not in escaped and "](" not in escaped


def test_sources_show_title_file_and_escaped_quote():
    answer = Answer(
        question="q", answer="Evil said so. [1]", refused=False,
        citations=[Citation(n=1, source="docs/x.html", title="<b>T</b>", chunk_id="c", start=0, end=30,
                            quote="<img src=x onerror=alert(1)> said so.", score=0.9)],
    )
    markdown = render_answer(answer)
    assert "docs/x\\.html" in markdown and "&lt;b&gt;T&lt;/b&gt;" in markdown
    assert "&lt;img src=x onerror=alert\\(1\\)&gt; said so\\." in markdown
    assert "<img" not in markdown


def test_chat_streams_then_shows_sources(seed_assistant):
    messages = list(answer_stream(seed_assistant, "What did Budrys say?"))
    assert len(messages) > 2
    lengths = [len(m) for m in messages]
    assert lengths == sorted(lengths)
    assert "bilaterally" in messages[-1] and "Sources" in messages[-1]
    assert "lithuania\\-critical\\-minerals\\.txt" in messages[-1]


def test_chat_turns_problems_into_messages(seed_assistant):
    assert list(answer_stream(seed_assistant, "   ")) == ["Please type a question\\."]


@pytest.fixture(scope="module")
def client(seed_assistant):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    return TestClient(create_app(seed_assistant))


def test_api_ask_returns_the_answer_json(client):
    response = client.post("/api/ask", json={"question": "What did Budrys say?", "k": 3})
    assert response.status_code == 200
    data = response.json()
    assert "bilaterally" in data["answer"] and len(data["passages"]) == 3


@pytest.mark.parametrize(
    "body, status, needle",
    [({"question": " "}, 422, "type a question"), ({"question": "x" * 5000}, 422, "limit"), ({}, 422, "question")],
)
def test_api_rejects_bad_questions_with_a_message(client, body, status, needle):
    response = client.post("/api/ask", json=body)
    assert response.status_code == status
    assert needle in response.text


def test_health_and_chat_page(client, seed_assistant):
    chunks = seed_assistant.store.chunk_count()
    assert chunks > 1
    assert client.get("/api/health").json() == {"status": "ok", "documents": 1, "chunks": chunks}
    assert client.get("/").status_code == 200
