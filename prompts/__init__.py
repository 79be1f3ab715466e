"""Texts the assistant shows or sends to a model, one `.txt` file each, loaded by name."""

from functools import cache
from pathlib import Path

_HERE = Path(__file__).parent


@cache
def load_prompt(name: str) -> str:
    """The text of `prompts/<name>.txt`, without its final newline.

    >>> load_prompt("refusal").startswith("The documents")
    True
    """
    path = _HERE / f"{name}.txt"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in _HERE.glob("*.txt")))
        raise KeyError(f"no prompt named {name!r} in {_HERE}; known prompts: {known}")
    return path.read_text(encoding="utf-8").rstrip("\n")
