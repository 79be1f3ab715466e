"""Fixtures for the LLM tests: the scripted OpenAI-compatible server of tests/scripted_llm.py (a
test double for an outside LLM service), a real langchain-openai client pointed at it, and the
seed index with ASSISTANT_LLM pointed at it.
"""

from __future__ import annotations

import pytest

from assistant.llm import make_chat_model

from ..scripted_llm import scripted_llm_server


@pytest.fixture(scope="module")
def llm_server():
    with scripted_llm_server() as server:
        yield server


@pytest.fixture
def served(llm_server):
    """Script the server's next replies; returns a real ChatOpenAI pointed at it (timeout 1 s)."""

    def script(reply: str = "", status: int = 200, delay: float = 0.0):
        llm_server.script = {"reply": reply, "status": status, "delay": delay}
        llm_server.requests.clear()
        return make_chat_model("openai:test-model", base_url=f"http://127.0.0.1:{llm_server.server_address[1]}/v1",
                               timeout=1.0)

    return script


@pytest.fixture
def llm_assistant(seed_assistant, llm_server):
    """The seed index with ASSISTANT_LLM pointed at the local test double of an OpenAI-compatible server."""
    from assistant import Assistant, Settings

    settings = Settings(
        index_dir=seed_assistant.settings.index_dir, llm="openai:test-model", llm_timeout=2.0,
        llm_base_url=f"http://127.0.0.1:{llm_server.server_address[1]}/v1",
    )
    return Assistant(settings, embedder=seed_assistant.embedder)
