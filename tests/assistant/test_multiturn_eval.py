"""Multi-turn conversations over a shared eval set (SQuAD): follow-ups answered in their context.

The conversations (tests/data/multiturn_squad.jsonl) were written for these tests from SQuAD
questions and their documents; the documents are read from ../shared/eval.
"""

from __future__ import annotations

import json

import pytest

from ..helpers import EVAL_DIR, ROOT

CONVERSATIONS = [json.loads(line) for line in (ROOT / "tests" / "data" / "multiturn_squad.jsonl").open()]
CORPUS = EVAL_DIR / "squad_v1.1_dev" / "corpus"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared eval set is not at {CORPUS}")


@pytest.fixture(scope="module")
def squad_assistant(embedder, tmp_path_factory):
    from assistant import Assistant, Settings

    assistant = Assistant(Settings(index_dir=tmp_path_factory.mktemp("squad-index")), embedder=embedder)
    files = sorted({name for c in CONVERSATIONS for name in c["docs"]})
    assistant.ingest([CORPUS / name for name in files])
    return assistant


def _has(text: str, answers: list[str]) -> bool:
    return any(a.casefold() in text.casefold() for a in answers)


@pytest.mark.parametrize(
    "conversation",
    [
        pytest.param(
            c, id=c["id"], marks=[pytest.mark.xfail(strict=True, reason=c["known_gap"])] if "known_gap" in c else []
        )
        for c in CONVERSATIONS
    ],
)
def test_each_turn_is_answered_in_context(squad_assistant, conversation):
    history: list[dict] = []
    for turn in conversation["turns"]:
        answer = squad_assistant.ask(turn["question"], history=history)
        assert not answer.refused, turn["question"]
        assert _has(answer.answer, turn["answers"]), (turn["question"], answer.answer)
        history += [{"role": "user", "content": turn["question"]}, {"role": "assistant", "content": answer.answer}]
