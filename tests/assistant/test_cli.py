"""The `assistant` command end to end, as a separate process (slow: each run loads the model)."""

from __future__ import annotations

import json
import os

import pytest

from index import load_document

from ..helpers import SEED_FILE, assert_answer_contract, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("cli-index")
    result = run_cli("ingest", "seeds/", index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout
    return index_dir


def test_ingest_twice_changes_nothing(cli_index):
    result = run_cli("ingest", index_dir=cli_index)  # default: seeds/
    assert result.returncode == 0, result.stderr
    assert "1 unchanged" in result.stdout and "0 chunks embedded" in result.stdout


def test_ask_prints_answer_and_sources(cli_index):
    result = run_cli("ask", "What did Budrys say?", index_dir=cli_index)
    assert result.returncode == 0, result.stderr
    assert "the way forward is bilaterally" in result.stdout
    assert "[1]" in result.stdout and "seeds/lithuania-critical-minerals.txt" in result.stdout


def test_ask_json_follows_the_contract(cli_index):
    result = run_cli("ask", "Who is the prime minister of Lithuania?", "--json", "-k", "3", index_dir=cli_index)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "Ruginienė" in data["answer"] and len(data["passages"]) == 3
    assert_answer_contract(data)


def test_ask_batch_writes_one_answer_per_line(cli_index, tmp_path):
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {"id": "q1", "question": "What did Budrys say?"},
                {"id": 7, "question": "What is the capital of France?"},
                {"id": "empty", "question": "  "},
            ]
        ),
        encoding="utf-8",
    )
    result = run_cli("ask", "--batch", str(batch), index_dir=cli_index)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", 7, "empty"]
    assert not lines[0]["refused"] and lines[1]["refused"]
    assert "type a question" in lines[2]["error"]
    assert all(line["latency_ms"] > 0 for line in lines)


def test_quotes_lists_the_speakers_most_quoted_first(cli_index):
    result = run_cli("quotes", index_dir=cli_index)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "    3  Inga Ruginienė (Prime Minister)  (also: Ruginienė)",
        "    3  Kestutis Budrys (Lithuanian Foreign Minister)  (also: Budrys)",
    ]
    data = json.loads(run_cli("quotes", "--json", index_dir=cli_index).stdout)
    assert [(s["name"], s["quotations"]) for s in data] == [("Inga Ruginienė", 3), ("Kestutis Budrys", 3)]


def test_quotes_of_one_speaker_by_document_with_offsets(cli_index):
    result = run_cli("quotes", "ruginiene", index_dir=cli_index)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Inga Ruginienė (Prime Minister): 3 quotations in 1 document"
    assert lines[2] == "Lithuania critical minerals (seeds/lithuania-critical-minerals.txt)"
    text = load_document(SEED_FILE).text
    for line in lines[3:]:
        start, end = map(int, line.split()[0].split("-"))
        assert " ".join(text[start:end].split()) in line
    (speaker,) = json.loads(run_cli("quotes", "Budrys", "--json", index_dir=cli_index).stdout)
    quotes = speaker["by_document"][0]["quotations"]
    assert all(q["text"] == text[q["start"] : q["end"]] for q in quotes) and len(quotes) == 3


def test_quotes_of_an_unknown_speaker_names_the_close_ones(cli_index):
    result = run_cli("quotes", "Budris", index_dir=cli_index)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: No one named “Budris” is quoted in the indexed documents. Close names: Kestutis Budrys. "
        "Everyone quoted: `assistant quotes` or GET /api/speakers."
    ]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("ask", ""), 2, "type a question"),
        (("ask", "x" * 100_000), 2, "limit is"),
        (("ingest", "no/such/folder"), 1, "no such file or folder: no/such/folder"),
        (("ask", "--batch", "missing.jsonl"), 1, "no such file: missing.jsonl"),
        (("quotes", "Trump"), 1, "No one named “Trump” is quoted"),
        (("quotes", "a" * 50_001), 2, "at most 200 characters"),
    ],
)
def test_errors_are_one_clear_line_and_a_non_zero_exit(cli_index, args, code, message):
    result = run_cli(*args, index_dir=cli_index)
    assert result.returncode == code
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("ask", "What did Budrys say?"), ("quotes",)])
def test_asking_without_an_index_says_to_ingest(tmp_path, args):
    result = run_cli(*args, index_dir=tmp_path / "nothing-here")
    assert result.returncode == 1
    assert "assistant ingest" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "nothing-here").exists()


def test_serve_refuses_the_network_without_an_api_key(tmp_path):
    result = run_cli("serve", "--host", "0.0.0.0", "--port", "0", index_dir=tmp_path, timeout=60)
    assert result.returncode == 1
    assert "refusing to serve on 0.0.0.0 without an API key" in result.stderr and "--open" in result.stderr


def test_invalid_settings_are_named(tmp_path):
    env_bad = {**os.environ, "ASSISTANT_ALLOWED_ORIGINS": "portal.example.com/"}
    result = run_cli("ask", "x", index_dir=tmp_path, env=env_bad, timeout=60)
    assert result.returncode == 2
    assert "ASSISTANT_ALLOWED_ORIGINS" in result.stderr and "scheme://host" in result.stderr
