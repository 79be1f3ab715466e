"""ASSISTANT_CATALOGUE_URL holds a password: no message ever repeats it, whether the URL parses,
parses two ways (an unencoded @ or / in the password), or names a server that does not answer."""

from __future__ import annotations

import pytest

from assistant import AssistantError, Settings
from assistant.cli import main
from assistant.factory import open_catalogue
from index.catalogue.postgres_locks import where

from ..helpers import free_port

SECRET = "s3cretPW"
MALFORMED = [
    f"postgresql://assistant:{SECRET}/x@127.0.0.1:5432/assistant",  # an unencoded /
    f"postgresql://assistant:{SECRET}@x@127.0.0.1:5432/assistant",  # an unencoded @
    f"postgresql://assistant:{SECRET}%zz@127.0.0.1:5432/assistant",  # a broken %-escape
    f"postgresql://assistant:{SECRET} x@127.0.0.1:5432/assistant",  # a space
    f"mysql://assistant:{SECRET}@127.0.0.1/assistant",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_a_url_that_does_not_parse_is_refused_without_repeating_it(url, tmp_path, capsys):
    with pytest.raises(AssistantError) as refused:
        open_catalogue(Settings(index_dir=tmp_path, catalogue_url=url))
    assert SECRET not in str(refused.value) and "percent-encoded" in str(refused.value)
    assert SECRET not in where(url)


def test_the_cli_says_a_bad_url_in_one_line_without_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CATALOGUE_URL", MALFORMED[0])
    assert main(["--index-dir", str(tmp_path), "quotes"]) == 1
    err = capsys.readouterr().err
    assert SECRET not in err and err.startswith("error: ASSISTANT_CATALOGUE_URL is not a PostgreSQL URL")
    assert "Traceback" not in err


def test_a_server_that_does_not_answer_is_named_without_the_password(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CATALOGUE_URL", f"postgresql://assistant:{SECRET}@127.0.0.1:{free_port()}/assistant")
    assert main(["--index-dir", str(tmp_path), "quotes"]) == 1
    err = capsys.readouterr().err
    assert SECRET not in err and "cannot be reached" in err and "127.0.0.1" in err
