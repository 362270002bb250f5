"""JSON with comments and trailing commas, as tsconfig.json and jsconfig.json are written."""

from __future__ import annotations

import json
import re

Json = dict[str, object]

_COMMENT = re.compile(r'("(?:[^"\\\n]|\\.)*")|//[^\n]*|/\*[\s\S]*?\*/')
_TRAILING_COMMA = re.compile(r'("(?:[^"\\\n]|\\.)*")|,(?=\s*[}\]])')


def load_jsonc(raw: bytes | None) -> Json | None:
    """A JSON object from JSONC; None if it is not one. Strings are kept as they are, so
    `"@/*"` in a paths mapping is not mistaken for a comment."""
    if raw is None:
        return None
    try:
        text = _COMMENT.sub(lambda m: m.group(1) or "", raw.decode("utf-8-sig"))
        value = json.loads(_TRAILING_COMMA.sub(lambda m: m.group(1) or "", text))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
