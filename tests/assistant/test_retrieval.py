"""Hybrid retrieval: fusion of dense and BM25, over a real index."""

from __future__ import annotations

from assistant.retrieval import reciprocal_rank_fusion


def test_fusion_rewards_agreement():
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["c", "b", "d"]], k=60))
    assert fused["b"] > fused["a"] and fused["c"] > fused["d"]


def test_each_mode_finds_the_budrys_passage(seed_assistant):
    for mode in ("hybrid", "dense", "lexical"):
        retriever = seed_assistant.retriever.model_copy(update={"mode": mode})
        docs = retriever.invoke("Kestutis Budrys Munich Security Conference")
        assert docs, mode
        assert "Budrys" in docs[0].page_content, mode


def test_lexical_mode_uses_words_only(seed_assistant):
    lexical = seed_assistant.retriever.model_copy(update={"mode": "lexical"})
    assert lexical.invoke("zzzz qqqq") == []
    assert "price floors" in lexical.invoke("price floors")[0].page_content


def test_hybrid_metadata_carries_both_scores(seed_assistant):
    docs, timings = seed_assistant.retriever.retrieve("Budrys bilateral deal", k=3)
    top = docs[0].metadata
    assert top["dense_score"] is not None and top["lexical_score"] is not None
    assert [d.metadata["rank"] for d in docs] == [1, 2, 3]
    assert {"embed_query", "dense", "lexical", "fusion"} <= set(timings)


def test_pipeline_reranks_candidates_by_evidence(seed_assistant):
    turn = seed_assistant.retrieve("Who is the prime minister of Lithuania?", k=3)
    passages, scored, timings = turn.passages, turn.units, turn.timings.ms
    assert len(passages) == 3
    scores = [p.metadata["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all("retrieval_score" in p.metadata for p in passages)
    assert "Inga Ruginienė" in passages[0].page_content
    # Units belong to the kept passages only, best first.
    kept = {id(p) for p in passages}
    assert scored and all(id(unit.passage) in kept for _, unit in scored)
    assert [s for s, _ in scored] == sorted((s for s, _ in scored), reverse=True)
    assert "rerank" in timings
