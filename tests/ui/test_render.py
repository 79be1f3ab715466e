"""Rendering: document text is escaped everywhere; footnotes mark the exact quote."""

from __future__ import annotations

import html
import re

import pytest

from assistant import Answer, Citation, Passage
from ui.chat import answer_stream
from ui.render import answer_html, answer_plain, escape_text, sources_html, viewer_frame

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "![tracker](http://evil.example/pixel.png)",
    "[click](javascript:alert(1))",
    "<a href='http://evil.example'>x</a> `code` *bold* _i_",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_document_text_cannot_become_markup(text):
    escaped = escape_text(text)
    for char in "<>[]()!`*_'\":":
        assert char not in escaped
    assert html.unescape(escaped) == text  # the text itself survives, as text


def _answer(quote: str, before: str = "Before. ", after: str = " After.") -> Answer:
    text = before + quote + after
    return Answer(
        question="q", answer=f"{quote} [1]", refused=False,
        citations=[Citation(n=1, source="docs/x.html", title="<b>T</b>", chunk_id="c1", start=len(before),
                            end=len(before) + len(quote), quote=quote, score=0.9)],
        passages=[Passage(chunk_id="c1", source="docs/x.html", title="<b>T</b>", start=0, end=len(text), text=text,
                          score=0.5)],
    )


def test_footnote_marks_the_quote_inside_its_passage():
    rendered = answer_html(_answer("Budrys said so."))
    assert '<sup class="fn">[1]</sup>' in rendered
    assert "<mark>Budrys said so&#46;</mark>" in rendered
    assert "Before&#46; <mark>" in rendered and "</mark> After&#46;" in rendered
    assert "<details" in rendered and "<summary>" in rendered


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_quotes_stay_text_in_answer_and_footnotes(text):
    rendered = answer_html(_answer(text)) + sources_html(_answer(text), open_first=True)
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered and "](" not in rendered


def test_plain_copy_has_answer_and_sources():
    plain = answer_plain(_answer("Budrys said so."))
    assert plain.splitlines() == ["Budrys said so. [1]", "[1] <b>T</b> (docs/x.html): Budrys said so."]


def test_chat_streams_then_shows_footnotes(seed_assistant):
    steps = list(answer_stream(seed_assistant, "What did Budrys say?"))
    assert len(steps) > 2
    assert all(answer is None for _, answer in steps[:-1])
    final_html, answer = steps[-1]
    assert answer is not None and "bilaterally" in answer.answer
    assert "lithuania&#45;critical&#45;minerals&#46;txt" in final_html and "<mark>" in final_html
    assert "<details" not in steps[0][0]


def test_chat_turns_problems_into_messages(seed_assistant):
    ((rendered, answer),) = list(answer_stream(seed_assistant, "   "))
    assert answer is None and "Please type a question" in rendered


def test_chat_says_a_store_is_unreachable_in_the_answer():
    from assistant import StoreUnavailableError

    class Unreachable:  # the one method answer_stream calls, failing as a stopped PostgreSQL makes it fail
        def ask_stream(self, question, history=None):
            raise StoreUnavailableError("the catalogue's PostgreSQL at 10.0.0.4:5432/assistant cannot be reached")

    ((rendered, answer),) = list(answer_stream(Unreachable(), "What did Budrys say?"))  # type: ignore[arg-type]
    assert answer is None and "cannot be reached" in rendered and "class=\"answer\"" in rendered


def test_examples_come_from_the_documents(seed_assistant):
    examples = seed_assistant.example_questions()
    assert "What did Budrys say?" in examples and "What did Ruginienė say?" in examples
    assert all(not q.startswith("What did Trump") for q in examples)


def test_a_speakers_quotations_render_as_a_list_of_escaped_lines():
    answer = _answer("<b>We</b> will [not] win.")
    answer.answer = ("Ana Lee (Mayor) said, in “<i>News</i>”:\n- “<b>We</b> will [not] win.” [1]\n"
                     "- (paraphrased) *that* it rains [1]")
    rendered = answer_html(answer)
    text = rendered.split('<div class="sources">')[0]
    assert text.startswith('<div class="answer"><p>Ana Lee &#40;Mayor&#41; said')
    assert text.count("<li>") == 2 and "<ul>" in text and "</ul></p>" not in text
    assert "<b>" not in text and "<i>" not in text and "*that*" not in text
    assert '&#91;not&#93; win&#46;” <sup class="fn">[1]</sup></li>' in text


def test_chat_shows_a_speakers_quotations_as_a_list(seed_assistant):
    final_html, answer = list(answer_stream(seed_assistant, "What did Budrys say?"))[-1]
    assert answer is not None
    listed = final_html.split("<ul>", 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 3 and "bilaterally" in listed
    assert [f"[{c.n}]" for c in answer.citations] == ["[1]", "[2]", "[3]"]
    assert final_html.count('<details class="footnote"') == 3


def test_the_mark_adds_no_space_the_document_does_not_have():
    answer = _answer("time is of the essence", before="stating that ", after=". Next")
    rendered = answer_html(answer)
    assert "stating that <mark>time is of the essence</mark>&#46; Next" in rendered


# --- verification: the badge, and the sentences removed as unsupported -----------------------------------


def _verified(share: float, removed: list[tuple[str, str]], refused: bool = False) -> Answer:
    from assistant.models import RemovedSentence, Verification

    answer = _answer("Budrys said so.")
    answer.refused = refused
    answer.verification = Verification(
        supported_share=share, removed=[RemovedSentence(text=t, reason=r) for t, r in removed])
    return answer


def test_the_badge_says_how_much_of_the_answer_is_verified():
    rendered = answer_html(_verified(1.0, []))
    assert '<span class="verification">verified 100%</span>' in rendered and 'class="removed"' not in rendered
    rendered = answer_html(_verified(2 / 3, [("The sky is green [9].", "cites no passage")]))
    assert '<span class="verification">verified 2 of 3</span>' in rendered
    assert "<summary>1 sentence removed&#58; not supported by the documents</summary>" in rendered
    rendered = answer_html(_verified(0.3333, [("A [1].", "x"), ("B.", "cites nothing")]))
    assert "verified 1 of 3" in rendered and "2 sentences removed" in rendered
    # the badge and the removed sentences sit between the answer and its footnotes
    assert rendered.index('class="answer"') < rendered.index('class="verification"') < rendered.index("footnote")


def test_a_refusal_shows_no_badge_but_what_was_removed():
    removed = [("Lithuania signed the deal [1].", "the passage says pursue, the claim says signed")]
    rendered = answer_html(_verified(0.0, removed, refused=True))
    assert 'class="verification"' not in rendered
    assert '<details class="removed">' in rendered and "the claim says signed" in rendered


@pytest.mark.parametrize("text", HOSTILE)
def test_removed_sentences_and_reasons_stay_text(text):
    rendered = answer_html(_verified(0.5, [(f"{text} [1].", f"names {text}, the passage does not")]))
    removed = rendered.split('<details class="removed">', 1)[1].split("</details>", 1)[0]
    assert "<script" not in removed and "<img" not in removed and "<a " not in removed and "](" not in removed
    assert html.unescape(removed.split('<span class="removed-text">')[1].split("</span>")[0]) == " ".join(
        f"{text} [1].".split())


def test_the_chat_shows_an_llm_answers_verification_only_when_final(seed_assistant):
    """The chat over the seeds with ASSISTANT_LLM pointed at the scripted OpenAI-compatible server of
    tests/scripted_llm.py (a test double of the hosted LLM only): the badge and the removed sentence
    come with the final answer; the streamed steps never show the unsupported sentence."""
    from assistant import Assistant, Settings

    from ..scripted_llm import scripted_llm_server

    question = "Is Vilnius willing to pursue a bilateral critical minerals deal with the United States?"
    with scripted_llm_server() as server:
        assistant = Assistant(Settings(
            index_dir=seed_assistant.settings.index_dir, llm="openai:test-model", llm_timeout=5.0,
            llm_base_url=f"http://127.0.0.1:{server.server_address[1]}/v1"), embedder=seed_assistant.embedder)
        passages = assistant.retrieve(question).passages
        n = next(i for i, p in enumerate(passages, start=1) if "Vilnius is signaling" in p.page_content)
        server.script = {"reply": f"Vilnius is willing to pursue a bilateral critical minerals deal with the United "
                                  f"States [{n}]. The sky over <img src=x onerror=alert(1)> Vilnius is green [{n}]."}
        steps = list(answer_stream(assistant, question))
    for rendered, _ in steps[:-1]:
        assert 'class="verification' not in rendered and "sky" not in rendered
    final_html, answer = steps[-1]
    assert answer is not None and answer.answer.endswith("United States [1].")
    assert '<span class="verification">verified 1 of 2</span>' in final_html
    removed = final_html.split('<details class="removed">', 1)[1]
    assert "The sky over &#60;img" in removed and "<img" not in final_html


def test_a_footnote_opens_its_citation_in_the_viewer_with_its_page():
    answer = _answer("Budrys said so.")
    url = "/documents/0123456789abcdef?start=8&end=23"
    answer.citations[0] = answer.citations[0].model_copy(update={"url": url, "page": 3})
    rendered = str(sources_html(answer))
    (href,) = re.findall(r'<a class="open-document" href="([^"]+)" target="_blank" rel="noopener">', rendered)
    assert html.unescape(href) == url
    assert "p&#46; 3" in rendered and "p. 3" in answer_plain(answer)
    (inside,) = re.findall(r'href="([^"]+)"', str(answer_html(answer, viewer="/embed")))
    assert html.unescape(inside) == "/embed" + url  # where an embed token's cookie goes
    # Only our own viewer is ever linked: a URL of any other shape is not a link.
    for url in ["https://evil.example/x", "/documents/../logout", "/documents/0123456789abcdef?start=1&end=2&x=y"]:
        answer.citations[0] = answer.citations[0].model_copy(update={"url": url, "page": None})
        for rendered in [str(sources_html(answer)), str(viewer_frame(answer))]:
            assert "href" not in rendered and "src" not in rendered and "evil" not in rendered, url
