"""Writers on several hosts over one PostgreSQL catalogue, in one process: each `IndexStore` has
its own catalogue (its own connections, its own writer session), as a second host would, and they
share one Chroma client as hosts share a Chroma server. The fake embedding is slowed down so that
two ingest runs really overlap. (tests/assistant/test_multi_host.py does the same with processes,
the real model and a real `chroma run`.)"""

from __future__ import annotations

import threading
import time

import pytest

from index import ingest

from ..fakes import FakeEmbedder


class SlowEmbedder(FakeEmbedder):
    """The fake embedding, taking its time per batch as the model does."""

    def encode(self, texts, *args, **kwargs):
        time.sleep(0.15)
        return super().encode(texts, *args, **kwargs)


def corpus(folder, count=16):
    folder.mkdir()
    for n in range(count):
        (folder / f"report-{n:02d}.txt").write_text(
            f"Report {n}\n\nThe harbour of town {n} handled {n * 17} ships in spring. "
            f'"We expect more next year," harbour master Ana Petrov{n} said.\n', encoding="utf-8")
    return folder


def test_two_hosts_ingesting_one_folder_embed_every_document_exactly_once(two_hosts, tmp_path):
    folder = corpus(tmp_path / "corpus")
    embedder = SlowEmbedder()
    reports = [None, None]

    def run(n):
        reports[n] = ingest([folder], two_hosts[n], embedder, batch_chunks=2)

    threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    first, second = reports
    assert first is not None and second is not None
    added = first.added + second.added
    assert sorted(added) == sorted(f"corpus/report-{n:02d}.txt" for n in range(16))  # each once, by one run
    assert first.added and second.added, "both hosts did part of the work"
    store = two_hosts[0]
    assert first.chunks_embedded + second.chunks_embedded == store.chunk_count() == store.vector_count()
    assert store.health().consistent
    # What one host left to the other, the other stored (or found stored).
    assert set(first.elsewhere) <= set(second.added) | set(second.unchanged)
    again = ingest([folder], two_hosts[1], embedder)
    assert again.chunks_embedded == 0 and len(again.unchanged) == 16


def test_a_claimed_document_is_left_to_its_writer_until_it_lets_go(two_hosts):
    one, other = two_hosts
    with one.writing():
        assert one.claim("/corpus/a.txt") and one.claim("/corpus/a.txt")  # its own claim, again
        with other.writing():
            assert not other.claim("/corpus/a.txt") and other.claim("/corpus/b.txt")
            with one.alone() as alone:
                assert not alone  # another writer is writing: repairs wait for the last one out
        one.release_claim("/corpus/a.txt")
        with other.writing():
            assert other.claim("/corpus/a.txt")
        with one.alone() as alone:
            assert alone


def test_an_interrupted_writers_vectors_are_removed_only_once_no_other_writer_runs(two_hosts, fake_embedder):
    one, other = two_hosts
    # A run that died between its Chroma write and its catalogue commit: journal and vectors, no chunks.
    with one.writing():
        one.catalogue.journal_add([("/gone/x.txt", "ab" * 32)])
        one.vectors.upsert(["left-00001"], fake_embedder.encode(["left over"]), ["left over"],
                           [{"path": "/gone/x.txt", "doc_sha": "ab" * 32}])
    with one.writing():
        with other.writing():
            assert other.recover() == 0  # not alone: the journal may be a live writer's
        assert one.vector_count() == 1 and one.catalogue.journal_pending() == ["/gone/x.txt"]
        assert one.recover() == 1
    assert one.vector_count() == 0 and one.catalogue.journal_pending() == []


def test_a_health_check_waits_for_every_writer_or_says_one_is_writing(two_hosts):
    from index import IndexBusyError

    one, other = two_hosts
    with one.writing(), pytest.raises(IndexBusyError, match="being written"), other.exclusively(wait=False):
        pass
    with other.exclusively(wait=False), pytest.raises(IndexBusyError, match="being repaired"), one.writing(wait=False):
        pass


def test_a_waiting_health_check_holds_up_no_writer(two_hosts):
    """`ingest --check` waits for the writers without queueing behind them (a queued exclusive
    request would make every writer after it wait too, uploads included)."""
    one, other = two_hosts
    checked = threading.Event()

    def check():
        with other.exclusively(wait=True):
            checked.set()

    with one.writing():
        waiting = threading.Thread(target=check)
        waiting.start()
        time.sleep(1.0)
        assert not checked.is_set()  # the check waits for the writer ...
        started = time.monotonic()
        with other.writing(wait=True):  # ... and another writer starts at once all the same
            assert time.monotonic() - started < 1.0
    waiting.join(timeout=10)
    assert checked.is_set()  # once every writer ended, the check ran
