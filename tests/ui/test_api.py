"""The HTTP API over the real seed index: REST, server-sent events, OpenAI-compatible, security."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant import AssistantError, Settings
from index import load_document
from ui.access import get_collections
from ui.security import check_exposure
from ui.server import create_app

from ..helpers import SEEDS, assert_answer_contract

SEED_TEXT = load_document(SEEDS / "lithuania-critical-minerals.txt").text


@pytest.fixture(scope="module")
def client(seed_assistant):
    return TestClient(create_app(seed_assistant), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def guarded(serving_app):
    """The same index behind API keys and an allowed portal origin."""
    app = serving_app(api_keys="s3cret,other", allowed_origins=["http://portal.test:9000"])
    return TestClient(app, raise_server_exceptions=False)


def test_ask_returns_the_answer_json(client):
    response = client.post("/api/ask", json={"question": "What did Budrys say?", "k": 3})
    assert response.status_code == 200
    data = response.json()
    assert "bilaterally" in data["answer"] and len(data["passages"]) == 3
    assert_answer_contract(data)


def test_ask_accepts_history(client):
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    response = client.post("/api/ask", json={"question": "Who is the prime minister of Lithuania?", "history": history})
    assert response.status_code == 200 and "Ruginienė" in response.json()["answer"]


def test_follow_ups_use_the_history(client):
    history = [{"role": "user", "content": "What did Budrys say?"}, {"role": "assistant", "content": "..."}]
    data = client.post("/api/ask", json={"question": "Where did he say it?", "history": history}).json()
    assert "Munich Security Conference" in data["passages"][0]["text"]
    completion = client.post(
        "/v1/chat/completions", json={"messages": [*history, {"role": "user", "content": "Where did he say it?"}]}
    ).json()
    assert "Munich Security Conference" in completion["choices"][0]["message"]["content"]


def test_history_turns_are_validated(client):
    response = client.post("/api/ask", json={"question": "Budrys?", "history": [{"role": "robot", "content": "x"}]})
    assert response.status_code == 422 and "history.0.role" in response.json()["error"]


def _events(body: str) -> list[tuple[str, dict]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_sends_deltas_then_the_citations(client):
    with client.stream("POST", "/api/ask/stream", json={"question": "What did Budrys say?"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response.read().decode())
    names = [name for name, _ in events]
    assert names[-2:] == ["answer", "done"] and set(names[:-2]) == {"delta"} and len(names) > 4
    answer = events[-2][1]
    assert "".join(data["text"] for name, data in events if name == "delta") == answer["answer"]
    assert answer["citations"]
    assert_answer_contract(answer)


def test_stream_rejects_a_bad_question_before_streaming(client):
    response = client.post("/api/ask/stream", json={"question": ""})
    assert response.status_code == 422 and "type a question" in response.json()["error"]


@pytest.mark.parametrize(
    "body, needle",
    [
        ({"question": " "}, "type a question"),
        ({"question": "x" * 5000}, "limit"),
        ({}, "question: Field required"),
        ({"question": "Budrys?", "k": 0}, "k: Input should be greater than or equal to 1"),
        ({"question": 42}, "question: Input should be a valid string"),
    ],
)
def test_bad_requests_are_4xx_json_with_a_message(client, body, needle):
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422
    assert needle in response.json()["error"]


def test_malformed_json_is_a_clear_4xx(client):
    response = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400 and "JSON" in response.json()["error"]


class FailingAssistant:
    """An assistant whose every answer fails inside, as a bug or a broken dependency would."""

    def ask(self, *_, **__):
        raise RuntimeError("secret internal detail")

    ask_stream = ask


class FailingCollections:
    """The collections of a server whose every assistant fails inside."""

    default = "documents"

    def names(self):
        return [self.default]

    def get(self, name=None, *, create=False):
        return FailingAssistant()


def test_internal_failure_is_a_5xx_without_a_trace_and_the_server_keeps_serving(client, monkeypatch):
    monkeypatch.setitem(client.app.dependency_overrides, get_collections, FailingCollections)
    requests = [("/api/ask", {"question": "What did Budrys say?"}), ("/api/ask/stream", {"question": "Budrys?"}),
                ("/v1/chat/completions", {"messages": [{"role": "user", "content": "What did Budrys say?"}]})]
    for path, body in requests:
        response = client.post(path, json=body)
        assert response.status_code == 500, path
        assert "secret" not in response.text and "Traceback" not in response.text
    monkeypatch.undo()
    assert client.post("/api/ask", json={"question": "What did Budrys say?"}).status_code == 200


def test_health_documents_and_openapi(client, seed_assistant):
    assert client.get("/api/health").json() == {"status": "ok", "documents": 1, "chunks": seed_assistant.chunk_count()}
    (doc,) = client.get("/api/documents").json()
    assert doc["source"] == "seeds/lithuania-critical-minerals.txt" and doc["chunks"] > 1
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/ask/stream", "/v1/chat/completions", "/api/documents", "/api/speakers",
            "/api/speakers/{name}/quotes"} <= set(spec["paths"])
    docs = client.get("/docs").text
    assert "cdn" not in docs.lower()  # the docs page works offline


def test_the_openai_model_names_the_collection(client):
    assert client.get("/v1/models").json()["data"] == [
        {"id": "assistant", "object": "model", "created": 0, "owned_by": "local"},
        {"id": "documents", "object": "model", "created": 0, "owned_by": "local"}]
    ask = {"messages": [{"role": "user", "content": "Who is the prime minister of Lithuania?"}]}
    assert client.post("/v1/chat/completions", json={**ask, "model": "documents"}).status_code == 200
    missing = client.post("/v1/chat/completions", json={**ask, "model": "gpt-4o"})
    assert missing.status_code == 404 and "No collection named 'gpt-4o'" in missing.json()["error"]


def test_openai_completion_carries_citations(client):
    response = client.post(
        "/v1/chat/completions",
        json={"model": "assistant", "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Who is the prime minister of Lithuania?"}]},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "chat.completion"
    assert "Ruginienė" in data["choices"][0]["message"]["content"]
    assert len(data["citations"]) == len(data["cited_passages"]) >= 1
    first = data["cited_passages"][0]
    assert data["citations"][0] == f"{first['source']}#{first['start']}-{first['end']}"


def test_openai_streaming_never_loses_the_citations(client):
    with client.stream(
        "POST", "/v1/chat/completions",
        json={"stream": True, "messages": [{"role": "user", "content": "What did Budrys say?"}]},
    ) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "bilaterally" in text and chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["citations"] and c["cited_passages"] for c in chunks)


def test_the_official_openai_client_works(seed_assistant):
    import openai

    http = TestClient(create_app(seed_assistant))
    client = openai.OpenAI(api_key="unused", base_url="http://testserver/v1", http_client=http)
    completion = client.chat.completions.create(
        model="cited-extractive", messages=[{"role": "user", "content": "What did Budrys say?"}]
    )
    assert "bilaterally" in (completion.choices[0].message.content or "")
    assert completion.model_extra and completion.model_extra["citations"]
    stream = client.chat.completions.create(
        model="cited-extractive", messages=[{"role": "user", "content": "What did Budrys say?"}], stream=True
    )
    chunks = list(stream)
    assert "bilaterally" in "".join(c.choices[0].delta.content or "" for c in chunks)


def test_openai_without_user_message_is_a_4xx(client):
    response = client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "x"}]})
    assert response.status_code == 422 and "no user message" in response.json()["error"]


def test_api_keys_are_required_when_set(guarded):
    assert guarded.post("/api/ask", json={"question": "What did Budrys say?"}).status_code == 401
    wrong = guarded.post("/api/ask", json={"question": "Budrys?"}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "Authorization: Bearer" in wrong.json()["error"]
    ok = guarded.post("/api/ask", json={"question": "What did Budrys say?"}, headers={"Authorization": "Bearer other"})
    assert ok.status_code == 200
    completion = guarded.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]})
    assert completion.status_code == 401
    assert guarded.get("/api/health").status_code == 200
    assert guarded.get("/api/speakers").status_code == 401
    assert guarded.get("/api/speakers/Budrys/quotes").status_code == 401
    assert guarded.get("/api/speakers", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_speakers_lists_who_is_quoted_most_first(client):
    response = client.get("/api/speakers")
    assert response.status_code == 200
    assert response.json() == [
        {"name": "Inga Ruginienė", "title": "Prime Minister", "forms": ["Inga Ruginienė", "Ruginienė"],
         "quotations": 3, "documents": 1},
        {"name": "Kestutis Budrys", "title": "Lithuanian Foreign Minister", "forms": ["Kestutis Budrys", "Budrys"],
         "quotations": 3, "documents": 1},
    ]


@pytest.mark.parametrize("name", ["Budrys", "budrys", "Kestutis Budrys", "KESTUTIS BUDRYS", "Foreign Minister Budrys"])
def test_a_speakers_quotes_by_name_or_surname(client, name):
    response = client.get(f"/api/speakers/{name}/quotes")
    assert response.status_code == 200, response.text
    (speaker,) = response.json()
    assert speaker["name"] == "Kestutis Budrys" and speaker["quotations"] == 3
    (document,) = speaker["by_document"]
    assert document["source"] == "seeds/lithuania-critical-minerals.txt" and document["date"] is None
    quotes = document["quotations"]
    assert [q["kind"] for q in quotes] == ["reported", "direct", "direct"]
    assert all(q["text"] == SEED_TEXT[q["start"] : q["end"]] for q in quotes)
    assert "the way forward is bilaterally" in quotes[-1]["text"]


@pytest.mark.parametrize("name", ["Ruginienė", "Ruginiene", "inga ruginiene", "prime minister"])
def test_speaker_names_ignore_accents_and_case(client, name):
    response = client.get(f"/api/speakers/{name}/quotes")
    assert response.status_code == 200 and response.json()[0]["name"] == "Inga Ruginienė"


def test_an_unknown_speaker_is_a_404_naming_close_names(client):
    response = client.get("/api/speakers/Budris/quotes")
    assert response.status_code == 404
    error = response.json()["error"]
    assert "No one named “Budris” is quoted" in error and "Kestutis Budrys" in error
    trump = client.get("/api/speakers/Trump/quotes")
    assert trump.status_code == 404 and "Close names" not in trump.json()["error"]


def test_cors_and_frame_ancestors_follow_allowed_origins(guarded, client):
    preflight = guarded.options(
        "/api/ask",
        headers={"Origin": "http://portal.test:9000", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"},
    )
    assert preflight.headers["access-control-allow-origin"] == "http://portal.test:9000"
    stranger = guarded.options(
        "/api/ask", headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in stranger.headers
    assert guarded.get("/embed/").headers["content-security-policy"] == "frame-ancestors 'self' http://portal.test:9000"
    assert client.get("/").headers["content-security-policy"] == "frame-ancestors 'self'"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_refuses_to_serve_the_network_without_a_key(host):
    with pytest.raises(AssistantError, match="ASSISTANT_API_KEYS"):
        check_exposure(Settings(), host)
    check_exposure(Settings(allow_open=True), host)
    check_exposure(Settings(api_keys="k"), host)
    check_exposure(Settings(), "127.0.0.1")
