"""The citation viewer `/documents/{id}` (issue 14): the highlighted characters are exactly the
citation's quote; hostile markup in a document shows as text; a PDF shows the cited page of N; bad
offsets are a 422 and unknown ids a 404 (a page for browsers, JSON otherwise); an embed token opens
`/embed/documents/...` of its own collection only. The real app with the real model."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from assistant import Assistant, Settings
from ui.server import create_app

from ..pdfs import text_pdf

NEWS_KEY, HR_KEY, ADMIN_KEY = "news-key", "hr-key", "admin-key"
PORTAL = "https://portal.example.com"
HOSTILE = ("Zorblax festival\n\nThe Zorblax festival is held every spring in the town of Kelvara. "
           "Organisers once printed the banner text <script>window.__xss=1</script> on every lantern. "
           'A sign read <img src=x onerror="alert(2)"> & "quotes" next to the bakery stalls.\n')
CANAL_PAGES = [
    ["Canal survey", "The Orvell canal was dug by hand between 1822 and 1830.",
     "Its locks were rebuilt in stone after the flood of 1861."],
    ['"The Orvell canal carried 90 barges of coal a week," said engineer Tomas Brill.',
     "Pleasure boats use it today."],
]


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def app(embedder, tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("viewer") / "index", allowed_origins=[PORTAL],
                        api_keys=f"{NEWS_KEY}:news,{HR_KEY}:hr,{ADMIN_KEY}")
    return create_app(Assistant(settings, embedder=embedder))


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def docs(client) -> dict[str, dict]:
    """The documents (their GET /api/documents/{id}), by name: two in news, a PDF in hr."""
    sent = {"zorblax": ("zorblax.txt", HOSTILE.encode(), "news"),
            "canal": ("canal.pdf", text_pdf(CANAL_PAGES, title="Canal survey"), "hr")}
    out = {}
    for name, (filename, data, collection) in sent.items():
        response = client.post("/api/documents", files={"file": (filename, data)}, data={"collection": collection},
                               headers=auth(ADMIN_KEY))
        assert response.status_code == 201, response.text
        out[name] = client.get(f"/api/documents/{response.json()['id']}", headers=auth(ADMIN_KEY)).json()
    return out


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def cited(page: BeautifulSoup) -> str:
    marks = page.find_all("mark")
    assert len(marks) == 1 and marks[0]["id"] == "cited"
    return marks[0].get_text()


def shown_text(page: BeautifulSoup) -> str:
    return page.find("div", class_="text").get_text()


def test_the_highlight_is_exactly_the_quote(client, docs):
    answer = client.post("/api/ask", headers=auth(ADMIN_KEY), json={
        "question": "Where is the Zorblax festival held?", "collection": "news"}).json()
    assert not answer["refused"], answer
    for citation in answer["citations"]:
        response = client.get(citation["url"], headers=auth(ADMIN_KEY))
        page = soup(response)
        assert cited(page) == citation["quote"]
        assert shown_text(page) == docs["zorblax"]["text"]  # a text file: the whole document
        assert page.h1.get_text() == "Zorblax festival"
        assert {"zorblax.txt", "collection news"} <= {s.get_text() for s in page.select(".meta span")}
        assert response.headers["x-robots-tag"] == "noindex" and response.headers["cache-control"] == "private"
        assert "frame-ancestors 'self' " + PORTAL in response.headers["content-security-policy"]
        assert page.find(class_="chrome") is not None  # the full page, with its way back to the chat


def test_markup_in_a_document_shows_as_text(client, docs):
    text = docs["zorblax"]["text"]
    start = text.index("<script>")
    end = text.index("</script>") + len("</script>")
    response = client.get(f"/documents/{docs['zorblax']['id']}?start={start}&end={end}", headers=auth(ADMIN_KEY))
    page = soup(response)
    assert cited(page) == "<script>window.__xss=1</script>"
    assert shown_text(page) == text
    # The page's own script, under the nonce its policy names, is the only one; no image, no handler.
    scripts = page.find_all("script")
    assert len(scripts) == 1 and "__xss" not in scripts[0].get_text()
    policy = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert f"script-src 'nonce-{scripts[0]['nonce']}'" in policy and "default-src 'none'" in policy
    assert not page.find("img") and "onerror" not in str(page.find_all(True, attrs={"onerror": True}))
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in response.text
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt; &amp; &#34;quotes&#34;" in response.text


def test_a_pdf_shows_the_cited_page(client, docs):
    canal = docs["canal"]
    text, starts = canal["text"], canal["page_starts"]
    assert len(starts) == 2
    answer = client.post("/api/ask", headers=auth(ADMIN_KEY), json={
        "question": "How many barges of coal did the Orvell canal carry?", "collection": "hr"}).json()
    citation = next(c for c in answer["citations"] if "barges" in c["quote"])
    assert citation["page"] == 2
    page = soup(client.get(citation["url"], headers=auth(ADMIN_KEY)))
    assert cited(page) == citation["quote"]
    assert "Page 2 of 2" in page.find("nav", class_="pages").get_text()
    assert shown_text(page) == text[starts[1]:] and "dug by hand" not in shown_text(page)
    previous = page.find("a", rel="prev")
    assert previous is not None and "page=1" in previous["href"] and page.find("a", rel="next") is None

    # Without offsets: the first page, nothing highlighted.
    first = soup(client.get(f"/documents/{canal['id']}", headers=auth(ADMIN_KEY)))
    assert "Page 1 of 2" in first.text and not first.find("mark")
    assert shown_text(first) == text[:starts[1]].rstrip() and "barges" not in shown_text(first)


def test_a_quote_running_onto_the_next_page_is_highlighted_on_both(client, docs):
    canal = docs["canal"]
    text, second = canal["text"], canal["page_starts"][1]
    start, end = text.index("Its locks"), text.index("90 barges") + len("90 barges")
    url = f"/documents/{canal['id']}?start={start}&end={end}"
    first = soup(client.get(url, headers=auth(ADMIN_KEY)))
    # Highlighted to the end of the first page's text (not the blank line between pages).
    assert cited(first) == text[start:second].rstrip() and "Page 1 of 2" in first.text
    assert "continues on page 2" in first.text
    onward = first.find("a", rel="next")["href"]
    assert f"start={start}" in onward and f"end={end}" in onward
    rest = soup(client.get(onward, headers=auth(ADMIN_KEY)))
    assert cited(rest) == text[second:end] and "Page 2 of 2" in rest.text and "begins on page 1" in rest.text


@pytest.mark.parametrize("query, says", [
    ("start=x&end=5", "start must be a whole number"),
    ("start=1.5&end=5", "start must be a whole number"),
    ("start=-1&end=5", "start must be a whole number"),
    ("start=9&end=3", "start (9) is after end (3)"),
    ("start=0&end=999999", "beyond the document's text"),
    ("start=3", "give both start and end"),
    ("page=7", "page must be from 1 to 2"),
])
def test_bad_offsets_are_a_422_saying_what_is_wrong(client, docs, query, says):
    url = f"/documents/{docs['canal']['id']}?{query}"
    as_json = client.get(url, headers=auth(ADMIN_KEY))
    assert as_json.status_code == 422 and says in as_json.json()["error"]
    as_page = client.get(url, headers={**auth(ADMIN_KEY), "Accept": "text/html,application/xhtml+xml"})
    assert as_page.status_code == 422 and as_page.headers["content-type"].startswith("text/html")
    assert says in BeautifulSoup(as_page.text, "html.parser").get_text()


def test_an_unknown_id_is_a_404(client, docs):
    missing = client.get("/documents/0123456789abcdef", headers=auth(ADMIN_KEY))
    assert missing.status_code == 404 and "No document with the id 0123456789abcdef" in missing.json()["error"]
    page = client.get("/documents/0123456789abcdef", headers={**auth(ADMIN_KEY), "Accept": "text/html"})
    assert page.status_code == 404 and "Document not found" in page.text
    assert client.get(f"/documents/{docs['canal']['id']}?collection=news", headers=auth(ADMIN_KEY)).status_code == 404


def test_a_limited_key_sees_its_own_collection_only(client, docs):
    assert client.get(f"/documents/{docs['zorblax']['id']}", headers=auth(NEWS_KEY)).status_code == 200
    hidden = client.get(f"/documents/{docs['canal']['id']}", headers=auth(NEWS_KEY))
    assert hidden.status_code == 404 and "Orvell" not in hidden.text and "canal" not in hidden.text
    assert client.get(f"/documents/{docs['canal']['id']}?collection=hr", headers=auth(NEWS_KEY)).status_code == 403
    assert client.get(f"/documents/{docs['canal']['id']}").status_code == 401  # no credential at all


@pytest.mark.parametrize("minted_with, collection", [(NEWS_KEY, None), (ADMIN_KEY, "news")])
def test_an_embed_token_opens_the_viewer_of_its_collection_only(app, client, docs, minted_with, collection):
    body = {"origin": PORTAL, **({"collection": collection} if collection else {})}
    minted = client.post("/api/embed-tokens", json=body, headers=auth(minted_with))
    assert minted.status_code == 201, minted.text
    frame = TestClient(app, raise_server_exceptions=False)  # the portal's iframe: a browser without a key
    assert frame.get(minted.json()["url"]).status_code == 200  # the embedded chat sets the embed cookie
    assert frame.cookies.get("assistant_embed")

    zorblax = docs["zorblax"]
    start = zorblax["text"].index("Kelvara")
    response = frame.get(f"/embed/documents/{zorblax['id']}?start={start}&end={start + 7}")
    page = soup(response)
    assert cited(page) == "Kelvara"
    assert page.body["class"] == ["compact"] and page.find(class_="chrome") is None  # no page chrome in a frame
    assert response.headers["content-security-policy"] == f"frame-ancestors {PORTAL}"

    other = frame.get(f"/embed/documents/{docs['canal']['id']}")
    assert other.status_code == 404 and "Orvell" not in other.text
    # The embed cookie opens /embed only: the viewer at /documents/ wants the sign-in or a key.
    assert frame.get(f"/documents/{zorblax['id']}").status_code == 401


def test_the_compact_mode_can_be_asked_for(client, docs):
    page = soup(client.get(f"/documents/{docs['zorblax']['id']}?embed=1", headers=auth(ADMIN_KEY)))
    assert page.body["class"] == ["compact"] and page.find(class_="chrome") is None
    assert re.search(r"@media print", page.style.get_text())
