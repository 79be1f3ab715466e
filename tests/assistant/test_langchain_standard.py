"""LangChain's own standard tests (langchain-tests) for the two parts that claim to be LangChain parts:
`HybridRetriever` (a `BaseRetriever`) over the real seed index, and `SentenceEmbedder` (an
`Embeddings`) with the real model. Compatibility proven by someone else's tests, not claimed.
The tests' fake embedding (tests/fakes.py) passes the embeddings suite too, so it stands in honestly.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from assistant.retrieval import HybridRetriever
from index.embedding import SentenceEmbedder

from ..fakes import FakeEmbedder

# The suites' coroutine tests (ainvoke, aembed_*) run under pytest-asyncio, which the project leaves
# in strict mode: the mark goes on the whole module (the suite forbids overriding its tests), and
# pytest-asyncio's notice that it also lands on the plain tests is silenced.
pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:The test <Function .*asyncio.*:pytest.PytestWarning"),
]


@pytest.mark.model
class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    """The retriever the seed assistant uses, rebuilt by the suite from the same fields (store,
    embedder, k, candidates, rrf_k); the suite sets `k` itself where it tests it."""

    @pytest.fixture(autouse=True)
    def _seed_retriever(self, seed_assistant):
        type(self).fields = dict(seed_assistant.retriever)

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return dict(self.fields)

    @property
    def retriever_query_example(self) -> str:
        return "Who is the prime minister of Lithuania?"


class _SharedModel:
    """Both embedding suites build the embedder from its parameters; `model` shares the session's."""

    @pytest.fixture
    def model(self, embedder) -> SentenceEmbedder:
        return embedder

    @property
    def embeddings_class(self) -> type[SentenceEmbedder]:
        return SentenceEmbedder


@pytest.mark.model
class TestSentenceEmbedderUnit(_SharedModel, EmbeddingsUnitTests):
    """`test_init` builds one from the default parameters: the packaged all-MiniLM-L6-v2, offline."""


@pytest.mark.model
class TestSentenceEmbedderIntegration(_SharedModel, EmbeddingsIntegrationTests):
    """embed_query / embed_documents and their async forms give lists of floats of one length."""


class TestFakeEmbedderStandard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[FakeEmbedder]:
        return FakeEmbedder
