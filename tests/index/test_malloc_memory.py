"""index.embedding's memory bounds: malloc arenas capped, freed memory handed back once the model is idle.

A server's request threads take turns with the model; without the cap each kept its own arena
holding one call's peak of activations (docs/DEPLOYMENT.md, "Memory"). Arenas are counted with
glibc's malloc_info in a fresh process, so the cap never leaks into the test process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from index.embedding import MALLOC_ARENAS, IdleTrim, _glibc

from ..helpers import ROOT

pytestmark = pytest.mark.skipif(_glibc() is None, reason="malloc arenas are glibc's")

# Prints the arenas before and after 8 threads, alive together, have each allocated.
ARENAS_SCRIPT = textwrap.dedent("""
    import ctypes, re, sys, tempfile, threading
    from index.embedding import SentenceEmbedder, cap_malloc_arenas

    libc = ctypes.CDLL(None)
    libc.malloc.restype = libc.fopen.restype = ctypes.c_void_p
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]

    def arenas():
        with tempfile.NamedTemporaryFile(suffix=".xml") as out:
            handle = libc.fopen(out.name.encode(), b"w")
            libc.malloc_info(0, handle)
            libc.fclose(handle)
            return len(re.findall(r'<heap nr="', open(out.name).read()))

    if sys.argv[1] == "cap":
        assert cap_malloc_arenas()
    elif sys.argv[1] == "embedder":
        SentenceEmbedder()
    before = arenas()
    together = threading.Barrier(8)
    def work():
        libc.malloc(1000)
        together.wait()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(before, arenas())
""")


def arenas_before_and_after(mode: str) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", ARENAS_SCRIPT, mode], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, after = map(int, done.stdout.split())
    return before, after


def test_without_the_cap_each_thread_gets_an_arena():
    before, after = arenas_before_and_after("none")
    assert after >= before + 3  # what the cap is for: 8 threads, up to 8 new arenas


def test_cap_malloc_arenas_bounds_the_arenas_of_new_threads():
    before, after = arenas_before_and_after("cap")
    assert after <= max(before, MALLOC_ARENAS)


@pytest.mark.slow
def test_the_embedder_caps_the_arenas_before_the_server_starts_threads():
    before, after = arenas_before_and_after("embedder")
    assert after <= max(before, MALLOC_ARENAS)


def test_idle_trim_trims_once_touches_stop():
    trimmed = threading.Event()
    trim = IdleTrim(threading.Lock(), delay=0.01, trim=trimmed.set)
    trim.touch()
    assert trimmed.wait(timeout=30)


def test_idle_trim_leaves_a_running_model_call_alone():
    busy, trimmed = threading.Lock(), threading.Event()
    trim = IdleTrim(busy, delay=0.0, trim=trimmed.set)
    with busy:
        trim.touch()
        assert not trimmed.wait(timeout=0.2)
    trim.touch()  # what the call does when it ends
    assert trimmed.wait(timeout=30)


def test_encode_arms_the_idle_trim(embedder):
    embedder.encode(["Budrys said it is time sensitive."])
    assert any(t.name == "idle-malloc-trim" for t in threading.enumerate())
