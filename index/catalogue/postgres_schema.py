"""The PostgreSQL catalogue's schema: one PostgreSQL schema per collection, its tables created by
versioned migrations applied at open, and its lexical index: a `tsvector` per chunk (GIN-indexed)
built here, in Python, from the same folded Snowball stems the rest of the assistant compares.

Migrations run in one transaction under a transaction-level advisory lock on the schema's name,
so two workers starting at once on a new or older catalogue apply each migration exactly once:
the second waits, then finds the version already reached. `meta.schema_version` counts them.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import Stemmer

from ..terms import fold

# Append new migrations, never reorder or edit one that shipped (schema_version counts them).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: everything the SQLite catalogue reached in its five migrations, at once
        """CREATE TABLE documents (
            path TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT NOT NULL, sha256 TEXT NOT NULL,
            chunks INTEGER NOT NULL, chars INTEGER NOT NULL, ingested_at DOUBLE PRECISION NOT NULL, date TEXT,
            title_embedded BOOLEAN NOT NULL DEFAULT TRUE, doc_id TEXT NOT NULL UNIQUE, pages TEXT)""",
        """CREATE TABLE chunks (
            id BIGSERIAL PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, path TEXT NOT NULL, ordinal INTEGER NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
            terms TSVECTOR NOT NULL, length INTEGER NOT NULL, title_length INTEGER NOT NULL)""",
        "CREATE INDEX chunks_by_path ON chunks(path)",
        "CREATE INDEX chunks_terms ON chunks USING GIN (terms)",
        "CREATE TABLE document_texts (path TEXT PRIMARY KEY, text TEXT NOT NULL)",
        "CREATE TABLE journal (path TEXT NOT NULL, sha256 TEXT)",
        """CREATE TABLE quotations (
            id BIGSERIAL PRIMARY KEY, path TEXT NOT NULL, ordinal INTEGER NOT NULL, speaker TEXT NOT NULL,
            speaker_key TEXT NOT NULL, surname_key TEXT NOT NULL, forms TEXT NOT NULL, title TEXT NOT NULL,
            title_key TEXT NOT NULL, kind TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL)""",
        "CREATE INDEX quotations_by_path ON quotations(path)",
        "CREATE INDEX quotations_by_speaker ON quotations(speaker_key)",
        "CREATE INDEX quotations_by_surname ON quotations(surname_key)",
        "CREATE TABLE quotation_backlog (path TEXT PRIMARY KEY)",
        "CREATE TABLE unit_vectors (chunk_id TEXT PRIMARY KEY, keys TEXT NOT NULL, vectors BYTEA NOT NULL)",
        "CREATE TABLE unit_backlog (path TEXT PRIMARY KEY)",
        "CREATE TABLE word_vectors (word TEXT PRIMARY KEY, vector BYTEA NOT NULL)",
        "INSERT INTO meta(key, value) VALUES ('generation', 0), ('chunk_count', 0), ('chunk_length', 0) "
        "ON CONFLICT DO NOTHING",
        # The chunk count and total length BM25 weighs by, kept exact in every transaction that
        # adds or removes chunks (INSERT, COPY or DELETE), so no query counts 100k chunks.
        """CREATE FUNCTION count_chunks() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE meta SET value = value + changed.n FROM (SELECT count(*) AS n FROM added) changed
                    WHERE key = 'chunk_count';
                UPDATE meta SET value = value + changed.n FROM (SELECT coalesce(sum(length), 0) AS n FROM added) changed
                    WHERE key = 'chunk_length';
            ELSE
                UPDATE meta SET value = value - changed.n FROM (SELECT count(*) AS n FROM removed) changed
                    WHERE key = 'chunk_count';
                UPDATE meta SET value = value - changed.n
                    FROM (SELECT coalesce(sum(length), 0) AS n FROM removed) changed WHERE key = 'chunk_length';
            END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER chunks_added AFTER INSERT ON chunks REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION count_chunks()",
        "CREATE TRIGGER chunks_removed AFTER DELETE ON chunks REFERENCING OLD TABLE AS removed "
        "FOR EACH STATEMENT EXECUTE FUNCTION count_chunks()",
    ),
)

# BM25 over the chunks holding any query lexeme (the GIN index finds them): each one's frequency of
# each query lexeme, from the positions the tsvector holds for it (kept alone by marking the query's
# lexemes with weight B and filtering on it, rather than unnesting every word of every hit; a
# position up to `title_length` is a title word and counts 0.5), each lexeme's document frequency
# among the hits (its frequency in the whole catalogue: every chunk holding it is a hit), FTS5's IDF
# floored at 1e-6, the chunk count and mean length from `meta` (kept by triggers as chunks are
# written). Ties are broken by insertion order, whatever order the sums were added in.
BM25_QUERY = """
WITH freqs AS (
    SELECT c.id, c.chunk_id, c.length, t.lexeme,
           cardinality(t.positions) - 0.5 * CASE WHEN t.positions[1] > c.title_length THEN 0
               ELSE (SELECT count(*) FROM unnest(t.positions) p WHERE p <= c.title_length) END AS f
    FROM chunks c CROSS JOIN LATERAL unnest(ts_filter(setweight(c.terms, 'b', %(lexemes)s), '{b}')) AS t
    WHERE c.terms @@ %(query)s::tsquery),
stats AS (
    SELECT max(value) FILTER (WHERE key = 'chunk_count')::float8 AS n,
           greatest(max(value) FILTER (WHERE key = 'chunk_length')::float8
                    / nullif(max(value) FILTER (WHERE key = 'chunk_count'), 0), 1.0) AS avgdl FROM meta),
idf AS (
    SELECT lexeme, greatest(ln((greatest(s.n, count(*)) - count(*) + 0.5) / (count(*) + 0.5)), 1e-6) AS idf
    FROM freqs CROSS JOIN stats s GROUP BY lexeme, s.n),
scored AS (
    SELECT f.id, f.chunk_id, sum(i.idf * (f.f * 2.2) / (f.f + 1.2 * (0.25 + 0.75 * f.length / s.avgdl))) AS score
    FROM freqs f JOIN idf i USING (lexeme) CROSS JOIN stats s GROUP BY f.id, f.chunk_id)
SELECT chunk_id, score FROM scored ORDER BY round(score::numeric, 9) DESC, id LIMIT %(k)s
"""

SCHEMA_PREFIX = "assistant_"
# As SQLite's FTS5 tokenizer `porter unicode61 remove_diacritics 2` splits and stems: runs of
# letters and digits (an underscore separates), folded, then Porter's stemmer.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_PORTER = Stemmer.Stemmer("porter")
_MAX_POSITION = 16383  # a tsvector's positions stop here; later occurrences still count in `length`
_MAX_LEXEME_BYTES = 2046  # PostgreSQL's limit on one word of a tsvector or tsquery


def schema_name(collection: str) -> str:
    """The PostgreSQL schema of a collection: `assistant_NAME` for a lower-case name without `-`;
    any other (identifiers hold 63 bytes and fold case) is told apart by a hash after `assistant__`,
    which no plain name gives (a collection name starts with a letter or digit). The name itself is
    the schema's comment.

    >>> schema_name("documents"), schema_name("News-EU"), len(schema_name("x" * 64))
    ('assistant_documents', 'assistant__news_eu_c2a87dc37220', 63)
    """
    if re.fullmatch(r"[a-z0-9_]{1,53}", collection):
        return SCHEMA_PREFIX + collection
    digest = hashlib.sha1(collection.encode()).hexdigest()[:12]
    return f"{SCHEMA_PREFIX}_{collection.lower().replace('-', '_')[:63 - 24]}_{digest}"


def lexemes(text: str) -> list[str]:
    """The words of a text as the lexical index holds them, as FTS5 holds them in the SQLite
    catalogue: folded, Porter-stemmed, stopwords kept (they count in a chunk's length). A mark
    that folds to nothing (a lone combining character) is no word.

    >>> lexemes("Ruginienė's Ministers signed covid_19 \uff9e")
    ['ruginien', 's', 'minist', 'sign', 'covid', '19']
    """
    return [word for word in map(_lexeme, _TOKEN.findall(text)) if word]


@lru_cache(maxsize=100_000)
def _lexeme(token: str) -> str:
    word = fold(token)
    # FTS5's porter leaves words shorter than 3 or longer than 64 characters as they are.
    return _fitted(word if len(word) < 3 or len(word) > 64 else _PORTER.stemWord(word))


def _fitted(word: str) -> str:
    """A word as long as PostgreSQL takes: a longer one (a pasted hash, a run of letters) is cut,
    the same way in chunks and in questions, so it still finds itself.

    >>> len(_fitted("é" * 3000).encode())
    2046
    """
    data = word.encode()
    return word if len(data) <= _MAX_LEXEME_BYTES else data[:_MAX_LEXEME_BYTES].decode(errors="ignore")


def query_lexemes(terms: list[str]) -> list[str]:
    """The distinct lexemes of a query's terms (`index.terms.lexical_terms`).

    >>> query_lexemes(["ministers", "minister", "café"])
    ['minist', 'cafe']
    """
    return list(dict.fromkeys(lexeme for term in terms for lexeme in lexemes(term)))


def tsvector_literal(title: str, text: str) -> tuple[str, int, int]:
    """A chunk's `tsvector` as PostgreSQL reads it (each word with its positions: the title's
    first, then the text's), the chunk's length in words (title and text, as FTS5 counts a row),
    and the title's (a position up to it is a title word, which BM25 counts 0.5).

    >>> tsvector_literal("Budrys", "Budrys said it's 'fine'")
    ("'budri':1,2 'fine':6 'it':4 's':5 'said':3", 6, 1)
    """
    counts: dict[str, list[str]] = {}
    title_words = lexemes(title)
    for position, word in enumerate(title_words + lexemes(text), start=1):
        if position > _MAX_POSITION:
            break
        counts.setdefault(word, []).append(str(position))
    length = len(title_words) + len(lexemes(text))
    literal = " ".join(f"{_quoted(word)}:{','.join(places[:256])}" for word, places in sorted(counts.items()))
    return literal, length, min(len(title_words), _MAX_POSITION)


def tsquery_literal(words: list[str]) -> str:
    """Any of `words` (lexemes, stemmed already) as a `tsquery`.

    >>> tsquery_literal(["budri", "o'neil"])
    "'budri' | 'o''neil'"
    """
    return " | ".join(_quoted(word) for word in words)


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


