"""What a hostile or careless client sends: every error keeps the `{"error": ...}` shape with the right
status, bodies and histories are bounded, validation is strict, CORS approves no stranger."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant import QuestionError
from assistant.pipeline import check_history
from ui.chat import recent_turns
from ui.server import create_app

QUESTION = "What did Budrys say?"


@pytest.fixture(scope="module")
def client(seed_assistant):
    return TestClient(create_app(seed_assistant), raise_server_exceptions=False)


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/ask", 405),
    ("PUT", "/v1/chat/completions", 405),
    ("GET", "/api/no-such-thing", 404),
    ("POST", "/v1/nothing", 404),
    ("GET", "/no/such/page", 404),
    ("GET", "/gradio_api/no-such-route", 404),
])
def test_unknown_routes_and_wrong_methods_answer_json_errors(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    assert set(response.json()) >= {"error"} and "detail" not in response.json() or "/gradio_api/" in path
    assert path in response.json()["error"]
    if status == 405:
        assert response.headers["allow"]


def test_a_body_that_is_not_utf8_is_a_400(client):
    response = client.post("/api/ask", content=b'{"question": "\xff\xfe caf\xe9"}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_a_body_nested_5000_deep_is_a_400(client):
    response = client.post("/api/ask", content=b'{"question": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 400 and set(response.json()) == {"error"}


def test_a_body_over_the_limit_is_a_413(serving_app):
    client = TestClient(serving_app(max_request_kb=64), raise_server_exceptions=False)
    big = {"question": QUESTION, "history": [{"role": "user", "content": "x" * 100_000}]}
    response = client.post("/api/ask", json=big)
    assert response.status_code == 413 and "ASSISTANT_MAX_REQUEST_KB" in response.json()["error"]

    def chunks():  # no Content-Length: the limit counts what arrives
        yield b'{"question": "' + b"y" * 40_000
        yield b"y" * 40_000 + b'"}'

    streamed = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_the_default_limit_refuses_10_and_20_mb(client):
    for megabytes in (10, 20):
        body = b"x" * (megabytes << 20)
        response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 413


def test_history_is_bounded_in_turns_and_characters(client, seed_assistant):
    many = [{"role": "user", "content": "hi"}] * 51
    response = client.post("/api/ask", json={"question": QUESTION, "history": many})
    assert response.status_code == 422 and "51 turns" in response.json()["error"]
    long = [{"role": "user", "content": "x" * 60_000}]
    response = client.post("/v1/chat/completions", json={"messages": [*long, {"role": "user", "content": QUESTION}]})
    assert response.status_code == 422 and "new conversation" in response.json()["error"]
    with pytest.raises(QuestionError):
        seed_assistant.ask(QUESTION, history=many)
    assert check_history(many[:3], 3, 6) == many[:3]


def test_the_chat_keeps_its_latest_turns_within_the_limits():
    turns = [{"role": "user", "content": f"question {i}"} for i in range(100)]
    kept = recent_turns(turns, max_turns=50, max_chars=10_000)
    assert len(kept) == 50 and kept[-1] == turns[-1]
    assert sum(len(t["content"]) for t in recent_turns(turns, 50, 40)) <= 40


@pytest.mark.parametrize("body", [
    {"question": QUESTION, "k": True},
    {"question": QUESTION, "k": "3"},
    {"question": 42},
    {"question": QUESTION, "history": [{"role": "user", "content": {"a": 1}}]},
])
def test_ask_validation_is_strict(client, body):
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422 and response.json()["error"].startswith("invalid request")


@pytest.mark.parametrize("content", [
    [{"type": "text", "text": {"a": 1}}],
    [{"type": "text", "text": 7}],
    [{"type": "image_url", "image_url": {"url": "http://x/y.png"}}],
])
def test_openai_content_parts_must_be_text(client, content):
    response = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": content}]})
    assert response.status_code == 422, response.text


def test_openai_text_parts_still_work(client):
    content = [{"type": "text", "text": "What did Budrys"}, {"type": "text", "text": "say?"}]
    response = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": content}], "k": 3})
    assert response.status_code == 200 and "bilaterally" in response.json()["choices"][0]["message"]["content"]
    assert client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}],
                                                     "stream": "yes"}).status_code == 422


def test_an_over_long_speaker_name_is_a_422(client):
    response = client.get("/api/speakers/" + "a" * 50_001 + "/quotes")
    assert response.status_code == 422 and "at most" in response.json()["error"]


def test_with_no_allowed_origins_no_preflight_is_approved(client):
    for path in ["/gradio_api/queue/join", "/api/ask", "/config"]:
        preflight = {"Origin": "http://localhost:9999", "Access-Control-Request-Method": "POST"}
        response = client.options(path, headers=preflight)
        assert "access-control-allow-origin" not in response.headers, path
        assert response.headers.get("access-control-allow-credentials") != "true"
    simple = client.get("/config", headers={"Origin": "http://localhost:9999"})
    assert "access-control-allow-origin" not in simple.headers


def test_an_allowed_origin_is_still_approved(serving_app):
    portal = "http://portal.test:9000"
    client = TestClient(serving_app(allowed_origins=[portal]), raise_server_exceptions=False)
    response = client.options("/api/ask", headers={"Origin": portal, "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == portal


def test_an_allowed_origin_may_delete_a_document_from_the_browser(serving_app):
    portal = "http://portal.test:9000"
    client = TestClient(serving_app(allowed_origins=[portal]), raise_server_exceptions=False)
    preflight = {"Origin": portal, "Access-Control-Request-Method": "DELETE"}
    response = client.options("/api/documents/0123456789abcdef", headers=preflight)
    assert response.status_code == 200 and "DELETE" in response.headers["access-control-allow-methods"]
    foreign = client.options("/api/documents/0123456789abcdef", headers={**preflight, "Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in foreign.headers
