"""index.chunking: sentence spans and chunks, always as exact character offsets into the text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from index import Document, chunk_document, load_document, split_sentences

# tests/index/this.py -> parents[2] is the project root; shared/ sits beside it.
EVAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval"


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def doc_of(text: str) -> Document:
    return Document(text=text, source="mem.txt", title="Mem", sha256="0" * 64, path="/mem.txt")


# -- split_sentences --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The U.S. And its allies agreed. Budrys said so.", ["The U.S. And its allies agreed.", "Budrys said so."]),
        ("Dr. Smith went to Washington. He met senators.", ["Dr. Smith went to Washington.", "He met senators."]),
        ("Some metals, e.g. Lithium, matter. Others do not.", ["Some metals, e.g. Lithium, matter.", "Others do not."]),
        ("Mr. and Mrs. Jones left at 5 p.m. Tuesday. They came back.",
         ["Mr. and Mrs. Jones left at 5 p.m. Tuesday.", "They came back."]),
        ("J. K. Rowling wrote it. It sold well.", ["J. K. Rowling wrote it.", "It sold well."]),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        ("Wait... What happened? Nothing!", ["Wait...", "What happened?", "Nothing!"]),
        ("“Yes,” she said. “No.” He left.", ["“Yes,” she said.", "“No.”", "He left."]),
        ('He said "Go!" Then he left.', ['He said "Go!"', "Then he left."]),
        ("It cost $5.50 today. Pi is 3.14 roughly.", ["It cost $5.50 today.", "Pi is 3.14 roughly."]),
        ("Sales fell in 2024. 2025 looks better.", ["Sales fell in 2024.", "2025 looks better."]),
        ("see the note. then more text", ["see the note. then more text"]),  # lower case: no boundary
        ("北京是首都。上海很大！你好吗？", ["北京是首都。", "上海很大！", "你好吗？"]),
        ("Москва — столица России. Это большой город.", ["Москва — столица России.", "Это большой город."]),
        ("Ελλάδα είναι χώρα. Αθήνα πρωτεύουσα.", ["Ελλάδα είναι χώρα.", "Αθήνα πρωτεύουσα."]),
        ("Headline without stop\nBody sentence one. Body two.\n\n  Indented line  ",
         ["Headline without stop", "Body sentence one.", "Body two.", "Indented line"]),
        ("", []),
        ("   \n\n\t ", []),
    ],
)
def test_split_sentences(text, expected):
    assert sentences(text) == expected


def test_split_sentences_offset_shifts_spans():
    text = "One here. Two there."
    plain = split_sentences(text)
    shifted = split_sentences(text, offset=100)
    assert [(s.start + 100, s.end + 100) for s in plain] == [(s.start, s.end) for s in shifted]


def check_sentence_spans(text: str) -> None:
    spans = split_sentences(text)
    prev_end = 0
    for span in spans:
        piece = text[span.start : span.end]
        assert piece and piece == piece.strip(), (span, piece)
        assert span.start >= prev_end  # in order, disjoint
        prev_end = span.end
    # Nothing but whitespace is left out.
    covered = set()
    for span in spans:
        covered.update(range(span.start, span.end))
    assert all(ch.isspace() for i, ch in enumerate(text) if i not in covered)


# -- chunk_document ---------------------------------------------------------------------------------


def check_chunks(doc: Document, max_words: int = 120, overlap: int = 1) -> None:
    chunks = chunk_document(doc, max_words=max_words, overlap_sentences=overlap)
    spans = split_sentences(doc.text)
    if not spans:
        assert chunks == []
        return
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert c.text == doc.text[c.start : c.end]
        assert c.doc_sha == doc.sha256
        assert 1 <= len(c.text.split()) <= max_words
    # Chunks come in document order and together cover every sentence.
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)
    assert chunks[0].start == spans[0].start and chunks[-1].end == spans[-1].end
    for span in spans:
        assert any(c.start <= span.start and span.end <= c.end for c in chunks) or \
            len(doc.text[span.start : span.end].split()) > max_words
    # No gap between consecutive chunks except whitespace.
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start <= a.end or not doc.text[a.end : b.start].strip()


TEXTS = {
    "news": (
        "Vilnius is signalling a deal.\nThe U.S. And its allies agreed. Dr. Smith went to Washington. "
        "He said: “If not, then the way forward is bilaterally.” Is that so? Yes!\n\n"
        "Prices rose 3.5 percent, e.g. in Lithuania. The E.U. is slow.\n"
    ),
    "cjk": "北京是首都。上海很大！你好吗？\n東京は日本の首都です。大阪も大きい。",
    "cyrillic": "Москва — столица. Это большой город.\nКиев тоже. Да!",
    "blank-lines": "Line one\n\nLine two.  Line three?\n   \n",
}


def random_text(seed: int) -> str:
    rng = random.Random(seed)
    words = ["alpha", "Beta", "U.S.", "e.g.", "Dr.", "3.14", "“quoted”", "(aside)", "Мир", "世界", "x"]
    parts = []
    for _ in range(rng.randint(1, 80)):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        parts.append(sentence[:1].upper() + sentence[1:] + rng.choice([".", "!", "?", "", "...", ".”"]))
        parts.append(rng.choice([" ", "  ", "\n", "\n\n", " \n ", "\t"]))
    return "".join(parts)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_offsets_on_sample_texts(name):
    check_sentence_spans(TEXTS[name])
    check_chunks(doc_of(TEXTS[name]))
    check_chunks(doc_of(TEXTS[name]), max_words=5, overlap=0)


@pytest.mark.parametrize("seed", range(25))
def test_offsets_on_random_texts(seed):
    text = random_text(seed)
    check_sentence_spans(text)
    check_chunks(doc_of(text), max_words=[120, 30, 7][seed % 3], overlap=seed % 3)


def eval_files(count: int = 12) -> list[Path]:
    files = []
    for corpus in sorted(EVAL_DIR.glob("*/corpus")):
        files.extend(sorted(corpus.iterdir())[:count])
    return files


@pytest.mark.skipif(not EVAL_DIR.is_dir(), reason="shared eval corpora absent")
@pytest.mark.parametrize("path", eval_files(), ids=lambda p: f"{p.parents[1].name}/{p.name}")
def test_offsets_on_eval_corpus(path):
    doc = load_document(path)
    check_sentence_spans(doc.text)
    check_chunks(doc)
    check_chunks(doc, max_words=40, overlap=2)


def test_consecutive_chunks_overlap_by_exactly_one_sentence():
    text = " ".join(f"Sentence number {i} has exactly seven words." for i in range(40))
    doc = doc_of(text)
    spans = split_sentences(text)
    assert len(spans) == 40
    chunks = chunk_document(doc, max_words=30, overlap_sentences=1)
    starts = [s.start for s in spans]
    ends = [s.end for s in spans]
    assert len(chunks) > 3
    for a, b in zip(chunks, chunks[1:], strict=False):
        first_b, last_a = starts.index(b.start), ends.index(a.end)
        assert first_b == last_a  # b starts with a's last sentence, and only that one is shared
        assert doc.text[b.start : a.end] == doc.text[spans[last_a].start : spans[last_a].end]
    # 30 words fit four 7-word sentences.
    assert all(len(c.text.split()) == 28 for c in chunks[:-1])


def test_zero_overlap_partitions_sentences():
    text = " ".join(f"Sentence number {i} has exactly seven words." for i in range(20))
    chunks = chunk_document(doc_of(text), max_words=30, overlap_sentences=0)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start > a.end
    assert sum(len(c.text.split()) for c in chunks) == 140


def test_a_very_long_sentence_is_cut_at_word_boundaries():
    words = [f"W{i}" for i in range(1000)]
    text = "Intro sentence here. " + " ".join(words) + ". Outro sentence."
    doc = doc_of(text)
    chunks = chunk_document(doc, max_words=120, overlap_sentences=1)
    assert all(len(c.text.split()) <= 120 for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert c.text == text[c.start : c.end]
        assert text[c.start - 1].isspace() if c.start else True  # never starts mid-word
        assert c.end == len(text) or not text[c.end].isalnum()  # never ends mid-word
    seen = set(" ".join(c.text for c in chunks).replace(".", " ").split())
    assert set(words) <= seen  # every word is in some chunk
    long_pieces = [c for c in chunks if c.text.startswith("W")]
    assert len(long_pieces) == -(-1000 // 120)  # ceil: 9 pieces, the last one shorter...
    assert [len(c.text.split()) for c in long_pieces] == [120] * 8 + [40 + 2]  # ...joined by "Outro sentence."
    assert chunks[0].text == "Intro sentence here."
    assert chunks[-1].text.endswith("W999. Outro sentence.")


def test_every_chunk_adds_new_text():
    short_a = "Alpha beta gamma delta epsilon zeta eta theta iota kappa."
    short_b = "Lambda mu nu xi omicron pi rho sigma tau upsilon."
    long_c = "Word " + " ".join(["word"] * 114) + "."
    doc = doc_of(" ".join([short_a, short_b, long_c]))
    chunks = chunk_document(doc, max_words=120, overlap_sentences=1)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.end > a.end, f"chunk {b.ordinal} {b.text!r} adds nothing to chunk {a.ordinal}"


def test_empty_text_gives_no_chunks():
    assert chunk_document(doc_of("  \n ")) == []


def test_short_document_is_one_chunk():
    doc = doc_of("Title\nOne sentence. Two sentences.")
    chunks = chunk_document(doc)
    assert len(chunks) == 1
    assert chunks[0].text == doc.text
    assert (chunks[0].start, chunks[0].end) == (0, len(doc.text))


def test_a_number_sign_does_not_end_a_sentence():
    text = "The No. 2 reactor restarted. Units Nos. 3 and 4 stay shut. He said no. Then he left."
    assert [text[s.start:s.end] for s in split_sentences(text)] == [
        "The No. 2 reactor restarted.", "Units Nos. 3 and 4 stay shut.", "He said no.", "Then he left."]
