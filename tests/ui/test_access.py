"""With API keys set, nothing answers, lists or shows a document without a credential: every mounted
route (ours and Gradio's) is tried bare; sign-in cookies and embed tokens open what they should,
and nothing more. The real app over the real seed index."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from assistant import Settings
from ui.auth import EMBED_COOKIE, PUBLIC_PATHS, SESSION_COOKIE, Credentials
from ui.server import create_app

from .servers import running

KEY, OTHER_KEY = "s3cret-key-for-tests", "another-key"
PORTAL = "https://portal.example.com"
# Words of the seed article: a response carrying any of them has leaked a document.
LEAKS = re.compile(r"Budrys|bilateral|Lithuania|critical minerals|Ruginien", re.IGNORECASE)
QUESTION = "What did Budrys say?"


def known_key(credentials: Credentials, key: str) -> str:
    """The id of a key the credentials are configured with."""
    key_id = credentials.key_id(key)
    assert key_id is not None
    return key_id


@pytest.fixture(scope="module")
def guarded_app(serving_app):
    return serving_app(api_keys=f"{KEY},{OTHER_KEY}", allowed_origins=[PORTAL])


@pytest.fixture(scope="module")
def server(guarded_app):
    with running(guarded_app) as url:
        yield url


@pytest.fixture
def connect(server):
    """New clients of the live server, each with its own cookie jar (a browser, a portal backend...)."""
    clients: list[httpx.Client] = []

    def connect() -> httpx.Client:
        clients.append(httpx.Client(base_url=server, follow_redirects=False, timeout=60))
        return clients[-1]

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def bare(connect):
    """A client with no credential at all."""
    return connect()


@pytest.fixture
def signed_in(connect):
    client = connect()
    response = client.post("/login", data={"key": KEY, "next": "/"})
    assert response.status_code == 303, response.text
    return client


def mounted_routes(routes, prefix: str = ""):
    """(path, methods) of every route the app would dispatch to, through mounts and included routers."""
    for route in routes:
        if isinstance(route, Mount):
            inner = getattr(route.app, "routes", None)
            if inner is None:  # a static files app
                yield f"{prefix}{route.path}/{{path:path}}", {"GET"}
            else:
                yield from mounted_routes(inner, prefix + route.path)
        elif hasattr(route, "original_router"):  # FastAPI's included router
            yield from mounted_routes(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + route.path, set(getattr(route, "methods", None) or {"GET"})


def concrete(path: str, api_names: list[str]) -> list[str]:
    """Paths to request for a route pattern: each Gradio endpoint name for {api_name}, a plausible
    value for every other parameter."""
    names = api_names if "{api_name}" in path else [None]
    out = []
    for name in names:
        filled = path.replace("{api_name}", name) if name else path
        filled = re.sub(r"\{[^}:]+:path\}", "index.html", filled)
        filled = re.sub(r"\{event_id\}", "0" * 32, filled)
        out.append(re.sub(r"\{[^}]+\}", "x", filled))
    return out


def gradio_api_names(client: httpx.Client) -> list[str]:
    info = client.get("/gradio_api/info")
    assert info.status_code == 200, info.text
    names = [name.lstrip("/") for name in info.json()["named_endpoints"]]
    assert "chat" in names
    return names


@pytest.mark.slow
def test_every_route_is_closed_without_credentials(guarded_app, bare, signed_in):
    routes = sorted({(p, m) for p, methods in mounted_routes(guarded_app.routes) for m in methods if m != "HEAD"})
    paths = {p for p, _ in routes}
    # The enumeration really covers Gradio's API and ours (else this test would prove nothing).
    assert len(routes) > 100
    assert {"/gradio_api/call/{api_name}", "/gradio_api/queue/join", "/config", "/api/ask", "/v1/chat/completions",
            "/api/documents", "/embed/config", "/embed/gradio_api/call/{api_name}/{event_id}"} <= paths
    api_names = gradio_api_names(signed_in)
    body = {"data": [QUESTION, [], {}], "question": QUESTION, "messages": [{"role": "user", "content": QUESTION}],
            "fn_index": 0, "session_hash": "abc"}
    tried = 0
    for pattern, method in routes:
        for path in concrete(pattern, api_names):
            response = bare.request(method, path, json=body if method in ("POST", "PUT", "PATCH") else None)
            tried += 1
            where = f"{method} {path} -> {response.status_code}"
            assert not LEAKS.search(response.text), f"{where} leaked document text: {response.text[:200]}"
            if path in PUBLIC_PATHS:
                continue
            assert response.status_code == 401, f"{where} answered without a credential: {response.text[:200]}"
            assert "error" in response.json()
    assert tried > 100


def test_the_routes_tried_bare_do_answer_with_a_credential(signed_in):
    """The control for the test above: the same requests, signed in, reach the documents."""
    event = signed_in.post("/gradio_api/call/chat", json={"data": [QUESTION, [], None]})
    assert event.status_code == 200, event.text
    stream = signed_in.get(f"/gradio_api/call/chat/{event.json()['event_id']}")
    assert stream.status_code == 200 and "bilaterally" in stream.text
    documents = signed_in.get("/gradio_api/info")
    assert documents.status_code == 200
    assert signed_in.get("/config").status_code == 200


def test_the_attack_of_the_report_is_refused(bare):
    """The exact calls of issue 10: the chat and the document list through Gradio's own API."""
    chat = bare.post("/gradio_api/call/chat", json={"data": ["Who won Super Bowl 50?", []]})
    listing = bare.post("/gradio_api/call/lambda_1", json={"data": []})
    assert chat.status_code == listing.status_code == 401
    for path in ["/", "/config", "/gradio_api/info", "/embed/", "/docs", "/openapi.json", "/gradio_api/file=seeds"]:
        assert bare.get(path).status_code == 401, path


def test_a_browser_without_a_session_is_sent_to_the_sign_in(bare):
    response = bare.get("/", headers={"accept": "text/html"})
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F"
    page = bare.get("/login?next=%2F")
    assert page.status_code == 200 and 'type="password"' not in page.text and "type='password'" in page.text


def test_sign_in_sets_a_signed_http_only_cookie(connect):
    client = connect()
    wrong = client.post("/login", data={"key": "guess", "next": "/"})
    assert wrong.status_code == 401 and "not valid" in wrong.text
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    right = client.post("/login", data={"key": KEY, "next": "/embed/"})
    assert right.status_code == 303 and right.headers["location"] == "/embed/"
    cookie = right.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert KEY not in cookie  # signed, and names the key by a keyed hash only
    assert client.get("/").status_code == 200
    assert client.get("/embed/").status_code == 200
    assert client.get("/api/documents").status_code == 401  # the API takes Bearer keys, not cookies


def test_a_tampered_or_expired_session_is_refused(connect):
    client = connect()
    client.post("/login", data={"key": KEY})
    value = client.cookies[SESSION_COOKIE]
    payload, rest = value.split(".", 1)
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest,
                       domain="127.0.0.1")
    assert client.get("/config").status_code == 401
    short = Credentials(Settings(api_keys=KEY, session_hours=1 / 3600 / 2))
    cookie = short.new_session(known_key(short, KEY))
    assert short.session(cookie) is not None
    time.sleep(1.1)
    assert short.session(cookie) is None


def test_changing_the_keys_ends_the_sessions():
    before = Credentials(Settings(api_keys=f"{KEY},{OTHER_KEY}"))
    cookie = before.new_session(known_key(before, OTHER_KEY))
    after = Credentials(Settings(api_keys=KEY))
    assert before.session(cookie) and after.session(cookie) is None


def test_sign_in_never_redirects_to_another_site(connect):
    client = connect()
    for target in ["//evil.example/", "https://evil.example/", "/\\evil.example"]:
        response = client.post("/login", data={"key": KEY, "next": target})
        assert response.headers["location"] == "/", target


def test_sign_out_clears_the_session(signed_in):
    response = signed_in.get("/logout")
    assert response.status_code == 303 and "Max-Age=0" in response.headers["set-cookie"]
    signed_in.cookies.clear()
    assert signed_in.get("/config").status_code == 401


def test_use_via_api_is_hidden_when_keys_are_set(signed_in, seed_assistant):
    assert signed_in.get("/config").json()["footer_links"] == []
    open_client = TestClient(create_app(seed_assistant), raise_server_exceptions=False)
    assert "api" in open_client.get("/config").json()["footer_links"]


def mint(client: httpx.Client, origin: str = PORTAL, **extra) -> dict:
    response = client.post("/api/embed-tokens", json={"origin": origin, **extra},
                           headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 201, response.text
    return response.json()


def test_an_embed_token_opens_the_embed_for_its_origin_only(connect):
    portal_backend = connect()
    grant = mint(portal_backend)
    assert grant["url"] == f"/embed/?token={grant['token']}" and grant["origin"] == PORTAL
    assert KEY not in grant["token"]

    browser = connect()
    page = browser.get(grant["url"])
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == f"frame-ancestors {PORTAL}"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{EMBED_COOKIE}=") and "HttpOnly" in cookie and "Path=/embed" in cookie
    # The page's own requests carry the cookie, not the token.
    assert browser.get("/embed/config").status_code == 200
    event = browser.post("/embed/gradio_api/call/chat", json={"data": [QUESTION, [], None]})
    assert event.status_code == 200
    assert "bilaterally" in browser.get(f"/embed/gradio_api/call/chat/{event.json()['event_id']}").text
    # ... and open nothing outside the embed.
    for path in ["/config", "/gradio_api/info", "/api/documents", "/docs"]:
        assert browser.get(path).status_code == 401, path


def test_embed_tokens_need_a_key_and_a_real_origin(bare):
    assert bare.post("/api/embed-tokens", json={"origin": PORTAL}).status_code == 401
    auth = {"Authorization": f"Bearer {KEY}"}
    for bad in ["*", "portal.example.com", "https://portal.example.com/path", "javascript:alert(1)"]:
        response = bare.post("/api/embed-tokens", json={"origin": bad}, headers=auth)
        assert response.status_code == 422 and "origin" in response.json()["error"], bad
    too_long = bare.post("/api/embed-tokens", json={"origin": PORTAL, "minutes": 60 * 24 * 7}, headers=auth)
    assert too_long.status_code == 422


def test_no_token_a_bad_token_or_an_expired_token_opens_nothing(connect, bare):
    assert bare.get("/embed/").status_code == 401
    assert "embed token" in bare.get("/embed/", headers={"accept": "text/html"}).text
    token = mint(connect(), minutes=0.01)["token"]
    assert bare.get(f"/embed/?token={token[:-3]}xyz").status_code == 401
    forged = Credentials(Settings(api_keys=KEY, session_secret="not-the-server-secret"))
    forged_token, _ = forged.new_embed_token(known_key(forged, KEY), PORTAL)
    assert bare.get(f"/embed/?token={forged_token}").status_code == 401
    assert bare.get(f"/embed/?token={token}").status_code == 200
    time.sleep(0.7)
    assert bare.get(f"/embed/?token={token}").status_code == 401
    bare.cookies.set(EMBED_COOKIE, token, domain="127.0.0.1", path="/embed")
    assert bare.get("/embed/config").status_code == 401


def test_without_keys_everything_stays_open_on_loopback(seed_assistant):
    client = TestClient(create_app(seed_assistant), raise_server_exceptions=False)
    assert client.get("/").status_code == 200
    assert client.get("/embed/").status_code == 200
    assert json.loads(client.get("/api/documents").text)[0]["source"].endswith("lithuania-critical-minerals.txt")
