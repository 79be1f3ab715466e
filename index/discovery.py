"""Which files an ingest reads: the supported files under the paths it is given, never following
a symlink out of them, with the reason for every path it cannot use."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .documents import SUPPORTED_SUFFIXES, shown


def discover_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest under `paths` (folders are walked; hidden entries skipped), as resolved
    paths, and the paths that could not be used, with the reason: unsupported types, missing
    paths, unreadable folders, symlink loops, and symlinks leading outside `paths`, which are never
    followed (ingest reads nothing but the files and folders it is given)."""
    problems: list[tuple[str, str]] = []
    roots: list[Path] = []
    for raw in paths:
        resolved = _resolve(Path(raw))
        if isinstance(resolved, str):
            problems.append((str(raw), resolved))
        else:
            roots.append(resolved)
    folders = [r for r in roots if r.is_dir()]
    given_files = {r for r in roots if not r.is_dir()}

    def allowed(target: Path) -> bool:
        return target in given_files or any(target.is_relative_to(folder) for folder in folders)

    files: list[Path] = []
    for root in roots:
        if root in given_files:
            reason = _file_problem(root)
            if reason:
                problems.append((root.name, reason))
            else:
                files.append(root)
        else:
            files += _walk(root, allowed, problems, _base(root))
    return list(dict.fromkeys(files)), problems


def source_names(paths: Iterable[str | Path], files: Iterable[Path]) -> dict[Path, str]:
    """How each of `files` (resolved, as `discover_files` gives them) is named for people: relative
    to the folder it was found under, with that folder's own name first (`seeds/a.txt`, whatever
    the server's path to seeds/ is); a file given on its own by its name; under the working
    directory given as `.`, relative to it. Never a server path.

    >>> import tempfile; root = Path(tempfile.mkdtemp()).resolve(); (root / "news").mkdir()
    >>> names = source_names([root / "news", root / "b.txt"], [root / "news" / "x" / "a.txt", root / "b.txt"])
    >>> sorted(names.values())
    ['b.txt', 'news/x/a.txt']
    """
    roots = [r for r in (_resolve(Path(p)) for p in paths) if isinstance(r, Path)]
    folders = sorted((r for r in roots if r.is_dir()), key=lambda r: len(r.parts), reverse=True)
    names = {}
    for file in files:
        folder = next((f for f in folders if file.is_relative_to(f)), None)
        if folder is None:
            names[file] = file.name
        else:
            names[file] = file.relative_to(_base(folder)).as_posix()
    return names


def _base(folder: Path) -> Path:
    """What the names of the files under a resolved folder are relative to (see `source_names`)."""
    return folder if folder == Path.cwd().resolve() or folder.parent == folder else folder.parent


def _walk(folder: Path, allowed: Callable[[Path], bool], problems: list[tuple[str, str]], base: Path) -> list[Path]:
    """The files to ingest under a resolved folder; what cannot be used goes to `problems`."""

    def unreadable(exc: OSError) -> None:
        problems.append((
            _entry_source(Path(exc.filename), "", base),
            f"folder cannot be read ({exc.strerror or exc}): its files were not ingested; check its permissions",
        ))

    files = []
    for root, dirs, names in os.walk(folder, onerror=unreadable):
        here = Path(root)  # real: the walk starts at a resolved folder and follows no symlink
        walked = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            if (here / name).is_symlink():
                # Not followed: a folder inside the roots is walked where it really is.
                resolved = _resolve(here / name)
                reason = resolved if isinstance(resolved, str) else _outside(resolved, allowed)
                if reason:
                    problems.append((_entry_source(here, name, base), reason))
            else:
                walked.append(name)
        dirs[:] = walked
        for name in sorted(n for n in names if not n.startswith(".")):
            resolved = _resolve(here / name)
            if isinstance(resolved, str):
                problems.append((_entry_source(here, name, base), resolved))
                continue
            reason = _outside(resolved, allowed) if resolved != here / name else None
            reason = reason or _file_problem(resolved)
            if reason:
                problems.append((_entry_source(here, name, base), reason))
            else:
                files.append(resolved)
    return files


def _resolve(path: Path) -> Path | str:
    """The real path, or why it has none: missing, a broken symlink, a loop."""
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        return "broken symlink (its target does not exist)" if path.is_symlink() else "no such file or folder"
    except RuntimeError:  # Python 3.11 and 3.12 report a symlink loop so
        return "symlink loop: skipped"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: skipped"
        return f"cannot be resolved ({exc.strerror or exc})"


def _outside(target: Path, allowed: Callable[[Path], bool]) -> str | None:
    """Why a symlink's target may not be read, or None."""
    if allowed(target):
        return None
    return f"symlink to {shown(str(target))}, outside the folders given to ingest: not followed"


def _file_problem(path: Path) -> str | None:
    """Why a resolved path is not a file ingest can read, or None."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {shown(path.suffix) or '(none)'}"
    if not path.is_file():  # reading a pipe would block the run
        return "not a regular file (a pipe, socket or device)"
    return None


def _entry_source(folder: Path, name: str, base: Path) -> str:
    """How a folder entry is shown, without resolving it (it may be a symlink loop)."""
    try:
        folder = folder.relative_to(base)
    except ValueError:
        return name or folder.name
    return (folder / name).as_posix() if name else folder.as_posix()
