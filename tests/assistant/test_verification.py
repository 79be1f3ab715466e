"""LLM answers say only what their citations support: every sentence of the model's answer is
checked (assistant/support.py) against the passages it cites; one that does not hold never reaches
`answer`, and `verification` (supported_share, removed) travels with the Answer on every path.

The model is a test double of the outside LLM service only: the OpenAI-compatible server of
tests/assistant/conftest.py on 127.0.0.1, reached through the real langchain-openai client.
Everything else (embedding model, index, support check, APIs) is the real thing.
"""

from __future__ import annotations

import json

import pytest

from assistant.llm import LLMAnswerer
from prompts import load_prompt

from ..helpers import assert_answer_contract

QUESTION = "Is Vilnius willing to pursue a bilateral critical minerals deal with the United States?"
UNSUPPORTED = load_prompt("llm_unsupported")
REFUSAL = load_prompt("refusal")
# The sentence a careless validation re-cited the false claim to (issue 12).
UNRELATED = "This move underscores growing frustration"
SUPPORTED = "Vilnius is willing to pursue a bilateral critical minerals deal with the United States"
INVENTED = "The sky over Vilnius is green"
FALSE = "Lithuania has already signed the deal"


def issue_reply(n: int) -> str:
    """The reply of issue 12, with [1] the passage holding the article's first paragraph."""
    return f"{SUPPORTED} [{n}]. {INVENTED} [9]. {FALSE} [{n}]."


def vilnius_passage(passages) -> int:
    return next(n for n, p in enumerate(passages, start=1) if "Vilnius is signaling" in p.page_content)


@pytest.fixture(scope="module")
def retrieved(seed_assistant):
    return seed_assistant.retrieve(QUESTION)


def llm(seed_assistant, model) -> LLMAnswerer:
    return LLMAnswerer(model, seed_assistant.answerer, refusal_threshold=seed_assistant.settings.refusal_threshold)


@pytest.mark.parametrize("streaming", [False, True])
def test_the_issues_reply_keeps_only_its_supported_sentence(seed_assistant, retrieved, served, streaming):
    turn = retrieved
    passages = turn.passages
    n = vilnius_passage(passages)
    answerer = llm(seed_assistant, served(issue_reply(n)))
    if streaming:
        *deltas, final = list(answerer.stream(turn))
        for delta in deltas:  # not one piece of the unsupported sentences is ever shown
            assert "sky" not in delta and "green" not in delta and "signed" not in delta
        assert "".join(deltas).strip() == final.answer
    else:
        final = answerer.answer(turn)
    assert not final.refused
    assert final.answer == f"{SUPPORTED} [1]."
    (citation,) = final.citations
    assert citation.quote.startswith("Vilnius is signaling a willingness to pursue a bilateral critical minerals deal")
    assert all(UNRELATED not in c.quote for c in final.citations)
    assert_answer_contract(final)
    removed = final.verification.removed
    assert [r.text for r in removed] == [f"{INVENTED} [9].", f"{FALSE} [{n}]."]
    assert removed[0].reason == "cites no passage"
    # e.g. "the passage says agreement, the claim says signed"
    assert removed[1].reason and "signed" in removed[1].reason
    assert final.verification.supported_share == pytest.approx(1 / 3, abs=1e-3)


@pytest.mark.parametrize("streaming", [False, True])
def test_a_reply_with_no_supported_sentence_is_answered_from_the_documents(
    seed_assistant, retrieved, served, streaming
):
    turn = retrieved
    passages = turn.passages
    n = vilnius_passage(passages)
    reply = f"{INVENTED} [{n}]. {FALSE} [{n}]. Lithuania also mines its own rare earths."
    answerer = llm(seed_assistant, served(reply))
    if streaming:
        *deltas, final = list(answerer.stream(turn))
        assert deltas == [final.answer]  # only the answer given instead, in one piece
    else:
        final = answerer.answer(turn)
    for words in ("sky", "signed", "mines its own"):
        assert words not in final.answer
    assert [r.text for r in final.verification.removed] == [
        f"{INVENTED} [{n}].", f"{FALSE} [{n}].", "Lithuania also mines its own rare earths."]
    assert final.verification.removed[2].reason == "cites nothing"
    extractive = seed_assistant.answerer.answer(turn)
    if extractive.refused:
        assert final.refused and final.answer == REFUSAL and final.verification.supported_share == 0.0
    else:
        assert not final.refused and final.answer == f"{UNSUPPORTED}\n\n{extractive.answer}"
        assert final.citations == extractive.citations
        assert 0 < final.verification.supported_share < 1
    assert_answer_contract(final)


def test_a_connective_sentence_is_kept_uncited(seed_assistant, retrieved, served):
    turn = retrieved
    passages = turn.passages
    n = vilnius_passage(passages)
    reply = f"Here is what the documents say:\n- {SUPPORTED} [{n}]."
    final = llm(seed_assistant, served(reply)).answer(turn)
    assert final.answer == f"Here is what the documents say:\n- {SUPPORTED} [1]."
    assert final.verification.supported_share == 1.0 and not final.verification.removed
    assert_answer_contract(final)


def test_markers_after_the_full_stop_belong_to_the_sentence_they_end(seed_assistant, retrieved, served):
    turn = retrieved
    passages = turn.passages
    n = vilnius_passage(passages)
    final = llm(seed_assistant, served(f"{SUPPORTED}. [{n}] {FALSE}.[{n}]")).answer(turn)
    assert final.answer == f"{SUPPORTED}. [1]"
    assert [r.text for r in final.verification.removed] == [f"{FALSE}.[{n}]"]


def test_a_refusal_is_fully_verified(seed_assistant, retrieved, served):
    turn = retrieved
    final = llm(seed_assistant, served("Not in the documents.")).answer(turn)
    assert final.refused and final.answer == REFUSAL
    assert final.verification.supported_share == 1.0 and not final.verification.removed


# --- verification on every path: Python, LangChain, REST, server-sent events, /v1, CLI ---------------------


@pytest.fixture
def scripted(llm_assistant, llm_server):
    """The issue's reply, scripted for whatever the pipeline retrieves for QUESTION."""
    passages = llm_assistant.retrieve(QUESTION).passages
    llm_server.script = {"reply": issue_reply(vilnius_passage(passages))}
    return llm_assistant


def expect_verified(data: dict) -> None:
    assert data["answer"] == f"{SUPPORTED} [1]."
    verification = data["verification"]
    assert verification["supported_share"] == pytest.approx(1 / 3, abs=1e-3)
    assert [r["text"].split(" [")[0] for r in verification["removed"]] == [INVENTED, FALSE]
    assert all(r["reason"] for r in verification["removed"])


def test_verification_from_ask_and_the_chain(scripted):
    expect_verified(scripted.ask(QUESTION).model_dump())
    expect_verified(scripted.chain.invoke(QUESTION).model_dump())


def test_verification_over_the_rest_api_and_its_stream(scripted):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    client = TestClient(create_app(scripted))
    expect_verified(client.post("/api/ask", json={"question": QUESTION}).json())
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response:
        body = response.read().decode()
    events = [block.split("\n", 1) for block in body.strip().split("\n\n")]
    deltas = [json.loads(data.removeprefix("data: "))["text"] for name, data in events if name == "event: delta"]
    assert deltas and all(INVENTED not in d and "signed" not in d for d in deltas)
    (answer,) = [json.loads(data.removeprefix("data: ")) for name, data in events if name == "event: answer"]
    expect_verified(answer)


def test_verification_over_the_openai_compatible_api(scripted):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    client = TestClient(create_app(scripted))
    request = {"model": "cited-extractive", "messages": [{"role": "user", "content": QUESTION}]}
    data = client.post("/v1/chat/completions", json=request).json()
    expect_verified({"answer": data["choices"][0]["message"]["content"], "verification": data["verification"]})
    with client.stream("POST", "/v1/chat/completions", json={**request, "stream": True}) as response:
        lines = [line for line in response.read().decode().splitlines() if line.startswith("data: {")]
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    for chunk in chunks:  # every chunk carries it, beside the citations
        expect_verified({"answer": text, "verification": chunk["verification"]})
        assert chunk["cited_passages"] and chunk["citations"]


def test_verification_in_the_cli_json(scripted, llm_server, monkeypatch, capsys):
    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(scripted.settings.index_dir))
    monkeypatch.setenv("ASSISTANT_LLM", "openai:test-model")
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", scripted.settings.llm_base_url)
    assert main(["ask", QUESTION, "--json"]) == 0
    expect_verified(json.loads(capsys.readouterr().out))
