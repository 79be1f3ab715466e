"""Two collections, two limited keys and an admin key (issue 14): neither limited key sees the other
collection's documents through any REST or /v1 route, nor through an embed token minted with it;
an answer never cites a document outside the credential's collections. The real app over real
indexes with the real model (the chat, /embed and the viewer in a browser: test_browser_collections.py)."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient

from assistant import Assistant, Settings
from ui.access import Access
from ui.auth import Credentials, parse_key
from ui.server import create_app

NEWS_KEY, HR_KEY, ADMIN_KEY = "news-key-0123", "hr-key-4567", "admin-key-89ab"
NEWS_TEXT = ("Harbour news\n\n\u201cThe Klaipeda crane moved 40 containers on Monday,\u201d said harbour master "
             "Jonas Petraitis.")
HR_TEXT = ("Holiday policy\n\n\u201cEvery Zentrix employee receives 27 days of paid holiday a year,\u201d said "
           "personnel director Ona Kazlauskiene.")
NEWS_WORDS = re.compile(r"Klaipeda|crane|containers|Petraitis|harbour", re.IGNORECASE)
HR_WORDS = re.compile(r"Zentrix|holiday|Kazlauskiene|27 days", re.IGNORECASE)
PORTAL = "https://portal.example.com"


@pytest.fixture(scope="module")
def app(embedder, tmp_path_factory):
    root = tmp_path_factory.mktemp("collections")
    settings = Settings(index_dir=root / "index", api_keys=f"{NEWS_KEY}:news,{HR_KEY}:hr,{ADMIN_KEY}",
                        allowed_origins=[PORTAL])
    for name, text in [("news", NEWS_TEXT), ("hr", HR_TEXT)]:
        Assistant(settings.for_collection(name), embedder=embedder).upload(f"{name}.txt", text.encode())
    return create_app(Assistant(settings, embedder=embedder))


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


QUESTIONS = {"news": "How many containers did the Klaipeda crane move?",
             "hr": "How many days of paid holiday does a Zentrix employee get?"}


@pytest.mark.parametrize("key, own, other, other_words", [
    (NEWS_KEY, "news", "hr", HR_WORDS), (HR_KEY, "hr", "news", NEWS_WORDS)])
def test_a_limited_key_sees_its_collection_only_through_every_route(client, key, own, other, other_words):
    headers = auth(key)
    # Its own collection is its default: asked without a collection, it answers from it.
    answer = client.post("/api/ask", json={"question": QUESTIONS[own]}, headers=headers).json()
    assert not answer["refused"] and {c["source"] for c in answer["citations"]} == {f"{own}.txt"}
    # The other collection's question, asked of its own collection, cites nothing of the other.
    crossed = client.post("/api/ask", json={"question": QUESTIONS[other]}, headers=headers).json()
    assert crossed.pop("question") == QUESTIONS[other] and crossed["refused"]
    assert not other_words.search(json.dumps(crossed, ensure_ascii=False))

    forbidden = [
        client.post("/api/ask", json={"question": QUESTIONS[other], "collection": other}, headers=headers),
        client.post("/api/ask/stream", json={"question": QUESTIONS[other], "collection": other}, headers=headers),
        client.get(f"/api/documents?collection={other}", headers=headers),
        client.get(f"/api/speakers?collection={other}", headers=headers),
        client.get(f"/api/speakers/Petraitis/quotes?collection={other}", headers=headers),
        client.post("/v1/chat/completions", headers=headers,
                    json={"model": other, "messages": [{"role": "user", "content": QUESTIONS[other]}]}),
        client.post("/api/embed-tokens", json={"origin": PORTAL, "collection": other}, headers=headers),
        # A collection that does not exist is refused alike: a limited key learns nothing of the others.
        client.post("/api/ask", json={"question": "x", "collection": "finance"}, headers=headers),
    ]
    for response in forbidden:
        assert response.status_code == 403, (response.request.url, response.text)
        assert "may not use the collection" in response.json()["error"] and not other_words.search(response.text)

    listed = [client.get("/api/collections", headers=headers), client.get("/v1/models", headers=headers),
              client.get("/api/documents", headers=headers), client.get("/api/speakers", headers=headers)]
    for response in listed:
        assert response.status_code == 200 and other not in response.text and not other_words.search(response.text)
    assert [c["name"] for c in listed[0].json()] == [own]
    assert [m["id"] for m in listed[1].json()["data"]] == ["assistant", own]
    completion = client.post("/v1/chat/completions", headers=headers,
                             json={"model": "assistant", "messages": [{"role": "user", "content": QUESTIONS[own]}]})
    assert {c["source"] for c in completion.json()["cited_passages"]} == {f"{own}.txt"}


def test_the_admin_key_sees_every_collection(client):
    headers = auth(ADMIN_KEY)
    assert [c["name"] for c in client.get("/api/collections", headers=headers).json()] == ["documents", "hr", "news"]
    for name, question in QUESTIONS.items():
        answer = client.post("/api/ask", json={"question": question, "collection": name}, headers=headers).json()
        assert {c["source"] for c in answer["citations"]} == {f"{name}.txt"}
    missing = client.post("/api/ask", json={"question": "x", "collection": "finance"}, headers=headers)
    assert missing.status_code == 404 and "No collection named 'finance'" in missing.json()["error"]


def test_an_embed_token_carries_its_collection(client, app):
    minted = client.post("/api/embed-tokens", json={"origin": PORTAL, "collection": "hr"}, headers=auth(ADMIN_KEY))
    assert minted.status_code == 201 and minted.json()["collection"] == "hr"
    grant = app.state.credentials.embed_grant(minted.json()["token"])
    assert grant.collection == "hr"
    # A limited key's token without a collection is limited to the key's collections anyway.
    plain = client.post("/api/embed-tokens", json={"origin": PORTAL}, headers=auth(NEWS_KEY)).json()
    assert app.state.credentials.embed_grant(plain["token"]).collection is None
    page = TestClient(app).get(plain["url"])
    assert page.status_code == 200


def test_keys_with_collections_are_parsed_and_bad_suffixes_refused():
    assert parse_key("k:news+hr") == ("k", frozenset({"news", "hr"}))
    for bad in ["k:", "k:a/b", ":news", "k:news+"]:
        with pytest.raises(ValueError, match="ASSISTANT_API_KEYS"):
            parse_key(bad)
    credentials = Credentials(Settings(api_keys="k1:news,k2"))
    assert credentials.scope(credentials.key_id("k1")) == {"news"}
    assert credentials.scope(credentials.key_id("k2")) is None
    assert credentials.key_id("k1:news") is None  # the suffix is not part of the key


def test_an_access_narrowed_to_nothing_may_use_nothing(app):
    collections = app.state.collections
    nothing = Access(None, frozenset())
    assert nothing.visible(collections) == [] and not nothing.allows("documents")
    with pytest.raises(Exception, match="may not use the collection 'documents'"):
        nothing.assistant(collections)
    assert json.loads(json.dumps(Access(None, None).visible(collections))) == ["documents", "hr", "news"]


def gradio_event(client: TestClient, api_or_index: str | int, data: list, prefix: str = "") -> dict:
    """Run one Gradio event the way the page does (queue/join, then its stream); the last message."""
    config = client.get(prefix + "/config").json()
    fn = api_or_index if isinstance(api_or_index, int) else next(
        i for i, d in enumerate(config["dependencies"]) if d.get("api_name") == api_or_index)
    session = uuid.uuid4().hex[:10]
    joined = client.post(prefix + "/gradio_api/queue/join", json={
        "data": data, "fn_index": fn, "session_hash": session, "event_data": None, "trigger_id": None})
    assert joined.status_code == 200, joined.text
    last: dict = {}
    with client.stream("GET", prefix + f"/gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                last = json.loads(line[5:])
                if last.get("msg") in ("process_completed", "close_stream"):
                    break
    return last


def test_no_gradio_event_takes_a_server_path_as_its_file(app, tmp_path):
    """An event's files must be ones this browser uploaded: naming another collection's upload, a
    file outside every index or /etc/passwd gets nothing indexed, nothing handed back."""
    outside = tmp_path / "payroll.md"
    outside.write_text("Payroll 2026\n\nThe CEO salary is 912,000 EUR.", encoding="utf-8")
    hr_upload = app.state.collections.get("hr").uploads_dir / "hr.txt"
    with TestClient(app, raise_server_exceptions=False) as client:  # (its lifespan starts Gradio's queue)
        files_are_refused(client, hr_upload, outside)


def files_are_refused(client: TestClient, hr_upload, outside) -> None:
    client.post("/login", data={"key": NEWS_KEY}, follow_redirects=False)
    before = {d["id"] for d in client.get("/api/documents", headers=auth(NEWS_KEY)).json()}

    add = next(i for i, d in enumerate(client.get("/config").json()["dependencies"])
               if any(t[1] == "upload" for t in d["targets"]))
    for path in [hr_upload, outside]:
        done = gradio_event(client, add, [[{"path": str(path), "orig_name": "x.txt",
                                            "meta": {"_type": "gradio.FileData"}}], "news"])
        assert not (done.get("success") and "added" in json.dumps(done)), done
    after = client.get("/api/documents", headers=auth(NEWS_KEY)).json()
    assert {d["id"] for d in after} == before and not HR_WORDS.search(json.dumps(after))

    for path in ["/etc/passwd", str(hr_upload)]:
        history = [{"role": "user", "content": [{"type": "file", "file": {"path": path,
                                                                           "meta": {"_type": "gradio.FileData"}}}]}]
        done = gradio_event(client, "chat", ["hi", history, {}, "news"])
        assert "root:" not in json.dumps(done) and "gradio_api/file=" not in json.dumps(done), done
        assert not HR_WORDS.search(json.dumps(done).replace("hr.txt", "")), done


def test_a_key_limited_to_a_collection_that_does_not_exist_is_warned_about(seed_assistant, caplog):
    settings = Settings(**{**seed_assistant.settings.model_dump(), "api_keys": "team:Xk9fQ2pL,admin"})
    with caplog.at_level("WARNING", logger="ui.server"):
        create_app(Assistant(settings, embedder=seed_assistant.embedder))
    assert "collections that do not exist (yet): Xk9fQ2pL" in caplog.text and "may not contain ':'" in caplog.text


def test_a_refused_upload_makes_no_new_collection(client, app):
    refusals = [("photo.txt", b"\x89PNG\r\n\x1a\n\x00", 415), ("latin.txt", "caf\xe9".encode("latin-1"), 422)]
    for name, data, status in refusals:
        refused = client.post("/api/documents", files={"file": (name, data)}, data={"collection": "finance"},
                              headers=auth(ADMIN_KEY))
        assert refused.status_code == status, refused.text
    assert not app.state.collections.exists("finance")
    assert "finance" not in [c["name"] for c in client.get("/api/collections", headers=auth(ADMIN_KEY)).json()]
    limited = client.post("/api/documents", files={"file": ("a.txt", b"A note.")}, data={"collection": "finance"},
                          headers=auth(NEWS_KEY))
    assert limited.status_code == 403 and not app.state.collections.exists("finance")
