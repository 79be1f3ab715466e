"""Who may come in when API keys are set: Bearer keys, chat sign-in cookies and embed tokens.

One ASGI gate (`AccessGate`) stands in front of every route, ours and Gradio's and any mounted
later, so nothing is open by omission. With keys set:

- `/api/*` and `/v1/*` need `Authorization: Bearer <key>` (but `/api/health`);
- every other route (the chat at `/`, Gradio's `/config` and `/gradio_api/*`, `/docs`) needs a
  Bearer key or the signed, HttpOnly session cookie that `/login` sets for a valid key;
- `/embed/*` also opens with a short-lived embed token (`/embed/?token=...`), minted by a portal's
  backend at `POST /api/embed-tokens`: the page may then be framed by the token's origin only.

Without keys the gate lets everything through, as on a laptop. Cookies and tokens are signed with
itsdangerous; their secret is `ASSISTANT_SESSION_SECRET`, or derived from the keys themselves, so
every worker agrees and changing the keys ends every session. The routes that issue them are in
`ui.signin`; the routes' own key check is `ui.dependencies.api_key_id`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, quote

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPBearer
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from markupsafe import Markup
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import Settings
from assistant.config import COLLECTION_PATTERN
from prompts import load_prompt

SESSION_COOKIE = "assistant_session"
EMBED_COOKIE = "assistant_embed"
EMBED_PREFIX = "/embed"
# Routes that answer without a credential: the sign-in page itself, and liveness.
PUBLIC_PATHS = frozenset({"/api/health", "/login", "/logout", "/favicon.ico"})
_BEARER_ONLY = ("/api", "/v1")
MAX_EMBED_MINUTES = 24 * 60
# `auto_error=False`: a missing or wrong key is refused by whoever asks, with the project's message.
BEARER = HTTPBearer(auto_error=False, description="One of the keys in ASSISTANT_API_KEYS.")


@dataclass(frozen=True)
class EmbedGrant:
    """What an embed token allows: the chat at /embed, framed by `origin`, until `expires_at`."""

    origin: str
    expires_at: float
    key_id: str
    collection: str | None = None


def parse_key(entry: str) -> tuple[str, frozenset[str] | None]:
    """A configured key and the collections it may use (None: all): `key:news+hr`, or `key`.

    >>> key, scope = parse_key("s3cret:news+hr"); key, sorted(scope), parse_key("admin")
    ('s3cret', ['hr', 'news'], ('admin', None))
    """
    key, colon, names = entry.rpartition(":")
    if not colon:
        return entry, None
    scope = frozenset(name.strip() for name in names.split("+"))
    bad = sorted(name for name in scope if not re.fullmatch(COLLECTION_PATTERN, name))
    if not key or bad or not scope:
        raise ValueError(
            f"ASSISTANT_API_KEYS: an entry ends in {':' + names!r}, which is not a list of collections; write "
            "key:news or key:news+hr (collection names: letters, digits, - and _)"
        )
    return key, scope


class Credentials:
    """The configured keys (each perhaps limited to some collections), and the signed sessions and
    embed tokens issued for them."""

    def __init__(self, settings: Settings):
        entries = [key.get_secret_value() for key in settings.api_keys]
        parsed = [parse_key(entry) for entry in entries]
        keys = [key for key, _ in parsed]
        secret = settings.session_secret.get_secret_value() or hashlib.sha256(
            b"cited-assistant session secret\0" + b"\0".join(k.encode() for k in sorted(entries))
        ).hexdigest()
        self._secret = secret.encode()
        self._key_ids = {self._key_id(key): key.encode() for key in keys}
        self._scopes = {self._key_id(key): scope for key, scope in parsed}
        self._sessions = URLSafeTimedSerializer(secret, salt="assistant.session")
        self._embeds = URLSafeSerializer(secret, salt="assistant.embed")
        self.session_seconds = int(settings.session_hours * 3600)
        self.embed_minutes = settings.embed_token_minutes

    @property
    def required(self) -> bool:
        return bool(self._key_ids)

    def _key_id(self, key: str) -> str:
        # Cookies and tokens are signed, not encrypted: they name a key by a keyed hash, never the key.
        return hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()[:16]

    def key_id(self, key: str) -> str | None:
        """The id of the configured key equal to `key` (compared in constant time), or None."""
        candidate = key.encode()
        found = None
        for ident, known in self._key_ids.items():
            if secrets.compare_digest(candidate, known):
                found = ident
        return found

    def named_collections(self) -> set[str]:
        """Every collection some key is limited to."""
        return {name for scope in self._scopes.values() if scope for name in scope}

    def scope(self, key_id: str | None) -> frozenset[str] | None:
        """The collections a key may use; None: all of them (also when no key is needed)."""
        return self._scopes.get(key_id) if key_id else None

    def new_session(self, key_id: str) -> str:
        return self._sessions.dumps({"key": key_id})

    def session(self, cookie: str | None) -> str | None:
        """The key id of a valid, unexpired session cookie whose key is still configured."""
        if not cookie:
            return None
        try:
            data = self._sessions.loads(cookie, max_age=self.session_seconds)
        except BadSignature:  # also SignatureExpired
            return None
        key_id = data.get("key") if isinstance(data, dict) else None
        return key_id if key_id in self._key_ids else None

    def new_embed_token(
        self, key_id: str, origin: str, minutes: float | None = None, collection: str | None = None
    ) -> tuple[str, EmbedGrant]:
        """A token for /embed framed by `origin`; with `collection`, its chat answers from that
        collection only (the caller checks that the key may use it)."""
        minutes = min(minutes or self.embed_minutes, MAX_EMBED_MINUTES)
        grant = EmbedGrant(origin=origin, expires_at=round(time.time() + minutes * 60, 3), key_id=key_id,
                           collection=collection)
        token = self._embeds.dumps(
            {"origin": grant.origin, "exp": grant.expires_at, "key": key_id, "collection": collection})
        return token, grant

    def embed_grant(self, token: str | None) -> EmbedGrant | None:
        """The grant of a valid, unexpired embed token minted with a key that is still configured."""
        if not token:
            return None
        try:
            data = self._embeds.loads(token)
        except BadSignature:
            return None
        if not isinstance(data, dict) or data.get("key") not in self._key_ids:
            return None
        if not isinstance(data.get("exp"), (int, float)) or data["exp"] <= time.time():
            return None
        collection = data.get("collection")
        return EmbedGrant(origin=str(data["origin"]), expires_at=float(data["exp"]), key_id=data["key"],
                          collection=collection if isinstance(collection, str) else None)


async def bearer_key_id(connection: HTTPConnection, credentials: Credentials) -> str | None:
    """The id of the configured key sent as `Authorization: Bearer <key>` (parsed by FastAPI's
    `HTTPBearer`, as the routes' dependency does), or None."""
    sent = await BEARER(connection)
    return credentials.key_id(sent.credentials) if sent else None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def cookie(scope: Scope, name: str) -> str | None:
    raw = Headers(scope=scope).get("cookie")
    return cookie_parser(raw).get(name) if raw else None


def cookie_header(scope: Scope, name: str, value: str, max_age: int, path: str, third_party: bool = False) -> str:
    """A Set-Cookie value: HttpOnly always; Secure on https. A cookie for a page framed by another
    site must be SameSite=None (which browsers accept only when Secure) and Partitioned (CHIPS), so
    it works with third-party cookies blocked; on plain http it can only be SameSite=Lax.

    >>> cookie_header({"scheme": "http"}, "s", "v", 60, "/")
    's=v; Max-Age=60; Path=/; HttpOnly; SameSite=Lax'
    """
    parts = [f"{name}={value}", f"Max-Age={max(0, max_age)}", f"Path={path}", "HttpOnly"]
    if scope.get("scheme") in ("https", "wss"):
        parts += ["Secure", "SameSite=None", "Partitioned"] if third_party else ["Secure", "SameSite=Lax"]
    else:
        parts.append("SameSite=Lax")
    return "; ".join(parts)


class AccessGate:
    """ASGI middleware: the one place that decides whether a request may reach any route."""

    def __init__(self, app: ASGIApp, credentials: Credentials):
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.credentials.required:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in PUBLIC_PATHS:  # (CORS preflights never get here: the CORS middleware outside answers them)
            await self.app(scope, receive, send)
            return
        bearer = await bearer_key_id(HTTPConnection(scope), self.credentials)
        if any(_under(path, prefix) for prefix in _BEARER_ONLY):
            if bearer:
                await self.app(scope, receive, send)
            else:
                await self._deny(scope, receive, send, load_prompt("auth_missing_key"), bearer=True)
            return
        if bearer or self.credentials.session(cookie(scope, SESSION_COOKIE)):
            await self.app(scope, receive, send)
            return
        if _under(path, EMBED_PREFIX):
            await self._embed(scope, receive, send)
            return
        await self._deny(scope, receive, send, load_prompt("auth_sign_in"))

    async def _embed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An embed token in the query opens the page and sets the embed cookie that the page's own
        requests (config, queue, assets) then carry; the page may be framed by the token's origin only."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [None])[0]
        grant = self.credentials.embed_grant(token) if token else None
        if grant is None:
            token = cookie(scope, EMBED_COOKIE)
            grant = self.credentials.embed_grant(token)
            fresh = False
        else:
            fresh = True
        if grant is None:
            await self._deny(scope, receive, send, load_prompt("auth_embed_token"))
            return
        lifetime = int(grant.expires_at - time.time())

        async def send_with_grant(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Content-Security-Policy"] = f"frame-ancestors {grant.origin}"
                if fresh:
                    cookie = cookie_header(scope, EMBED_COOKIE, token, lifetime, EMBED_PREFIX, third_party=True)
                    response_headers.append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_grant)

    async def _deny(self, scope: Scope, receive: Receive, send: Send, message: str, bearer: bool = False) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "sign-in required"})
            return
        headers = Headers(scope=scope)
        wants_page = scope["method"] in ("GET", "HEAD") and "text/html" in headers.get("accept", "")
        if wants_page and not bearer and not _under(scope["path"], EMBED_PREFIX):
            query = scope.get("query_string", b"").decode("latin-1")
            target = scope["path"] + (f"?{query}" if query else "")
            response: Response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        elif wants_page:
            page = _page(load_prompt("auth_title"), Markup("<p>{}</p>").format(message))
            response = HTMLResponse(page, status_code=401)
        else:
            response = Response(
                json.dumps({"error": message}), status_code=401, media_type="application/json",
                headers={"WWW-Authenticate": "Bearer"},
            )
        await response(scope, receive, send)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server, never another site.

    >>> [safe_next(t) for t in ["/embed/", "//evil.example", "https://evil.example", "/\\\\evil", None]]
    ['/embed/', '/', '/', '/', '/']
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


_PAGE = Markup(
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>{title}</title><style>"
    "body{{font-family:system-ui,sans-serif;max-width:26rem;margin:12vh auto;padding:0 1rem;color:#1f2937}}"
    "input{{width:100%;padding:.55rem;margin:.4rem 0 .9rem;box-sizing:border-box;font-size:1rem}}"
    "button{{padding:.5rem 1.2rem;font-size:1rem}}.error{{color:#b91c1c}}"
    "</style></head><body><h1>{title}</h1>{body}</body></html>"
)
_LOGIN_FORM = Markup(
    "<p>{intro}</p>{problem}"
    "<form method='post' action='/login'>"
    "<label for='key'>API key</label>"
    "<input id='key' name='key' type='password' autocomplete='current-password' required autofocus>"
    "<input type='hidden' name='next' value='{next_path}'>"
    "<button type='submit'>Sign in</button></form>"
)


def _page(title: str, body: Markup) -> str:
    """A small page of its own (sign-in, refusals); `title` is escaped, `body` is markup already."""
    return str(_PAGE.format(title=title, body=body))


def login_page(next_path: str, error: str = "") -> str:
    problem = Markup("<p class='error' role='alert'>{}</p>").format(error) if error else Markup()
    return _page(load_prompt("auth_title"), _LOGIN_FORM.format(
        intro=load_prompt("auth_sign_in"), problem=problem, next_path=next_path))
