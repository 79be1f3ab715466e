"""Which files an ingest reads: the supported files under the paths it is given, never following
a symlink out of them, with the reason for every path it cannot use."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .documents import SUPPORTED_SUFFIXES, display_source, shown


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
                problems.append((display_source(root), reason))
            else:
                files.append(root)
        else:
            files += _walk(root, allowed, problems)
    return list(dict.fromkeys(files)), problems


def _walk(folder: Path, allowed: Callable[[Path], bool], problems: list[tuple[str, str]]) -> list[Path]:
    """The files to ingest under a resolved folder; what cannot be used goes to `problems`."""

    def unreadable(exc: OSError) -> None:
        problems.append((
            display_source(Path(exc.filename)),
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
                    problems.append((_entry_source(here, name), reason))
            else:
                walked.append(name)
        dirs[:] = walked
        for name in sorted(n for n in names if not n.startswith(".")):
            resolved = _resolve(here / name)
            if isinstance(resolved, str):
                problems.append((_entry_source(here, name), resolved))
                continue
            reason = _outside(resolved, allowed) if resolved != here / name else None
            reason = reason or _file_problem(resolved)
            if reason:
                problems.append((_entry_source(here, name), reason))
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


def _entry_source(folder: Path, name: str) -> str:
    """How a folder entry is shown, without resolving it (it may be a symlink loop)."""
    return (Path(display_source(folder)) / name).as_posix()
