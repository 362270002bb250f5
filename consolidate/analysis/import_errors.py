"""Imports that can only fail: the file puts folders the repository does not have on
`sys.path`, and the module it imports is found only by name, elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from consolidate.analysis.pyimports import scan_file
from consolidate.analysis.pyresolve import NAME_MATCH
from consolidate.analysis.uses import Use


def likely_import_errors(
    uses: Iterable[Use],
    paths: Collection[str],
    read: Callable[[str], bytes | None],
    sources: Collection[str],
) -> list[dict[str, Any]]:
    """Imports in `sources` that can only fail where the file runs: it puts folders on
    `sys.path` that the repository does not have (and none the scanner could not read), and
    the module is found only by its name, in a folder the file has no reason to look in."""
    folders = _folders(paths)
    missing: dict[str, list[str]] = {}
    out = []
    for use in uses:
        if use.kind != NAME_MATCH or use.source not in sources:
            continue
        if use.source not in missing:
            added = scan_file(use.source, read(use.source) or b"").sys_paths
            gone = [d for d in added if d is not None and d not in folders]
            missing[use.source] = gone if None not in added else []
        if missing[use.source]:
            reason = (
                f"it puts {', '.join(missing[use.source])} on sys.path, a folder the repository"
                " does not have;"
                f" the module is found only by name, at {', '.join(use.targets)}"
            )
            out.append({"path": use.source, "line": use.line, "text": use.text, "reason": reason})
    return out


def _folders(paths: Collection[str]) -> set[str]:
    """Every folder holding a tracked file, and the paths themselves (a submodule is one)."""
    found = {"", *paths}
    for path in paths:
        folder = path
        while "/" in folder and (folder := folder.rpartition("/")[0]) not in found:
            found.add(folder)
    return found
