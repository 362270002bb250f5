"""Comment headers that introduce a group of services, and when they go with their services.

People write compose files in sections:

    services:
      # ---- Core ----

      # The API
      api:
        ...

      worker:
        ...

      # ---- Extras ----

A header is a comment paragraph inside the services mapping; two kinds, told apart by what
follows them:

- a *banner* is followed by a blank line and comes first in the mapping or after a blank line;
  it introduces every service up to the next banner (or the end of the mapping). A banner
  followed by another banner introduces nothing: it speaks about the whole file and stays.
- a *lead* sits directly on a service key; when the services after that one follow with no
  blank line and no comment of their own, it introduces them all if it opens the run (it
  comes first in the mapping or after a blank line: `# Databases` over a packed `postgres:`
  and `redis:`) or if the entries are one-liners, as volumes are. Otherwise a comment on one
  entry describes that one (`# The API` on `api:`, or a comment right under the previous
  service in a file that never leaves a blank line) and goes with it, as before.

Commented-out YAML (`#  chrome:` over `#    image: ...`) is never a header. The same rules
hold for the entries of top-level `volumes:`, `networks:`, `configs:` and `secrets:`.

A header goes when every service it introduces is removed, and stays otherwise: the services
left under it still need it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from consolidate.compose.locate import (
    Block,
    Parsed,
    Plan,
    find_key,
    indent,
    is_blank,
    is_comment,
)


@dataclass(frozen=True)
class Header:
    """A comment paragraph (0-based lines `first`..`last`) and the services it introduces."""

    first: int
    last: int
    services: tuple[str, ...]
    lead: bool  # it sits directly on its first service's key


def paragraphs(lines: tuple[str, ...], start: int, stop: int) -> list[tuple[int, int]]:
    """Runs of comment lines in lines[start:stop], as (first, last)."""
    found: list[tuple[int, int]] = []
    for i in range(start, stop):
        if not is_comment(lines[i]):
            continue
        if found and found[-1][1] == i - 1:
            found[-1] = (found[-1][0], i)
        else:
            found.append((i, i))
    return found


KEY = re.compile(r"(\s*)(- )?[\w.${}\"'-]+:\s*")


def commented_out(lines: tuple[str, ...], first: int, last: int) -> bool:
    """Is this paragraph YAML put aside (`#  chrome:` over `#    image: ...`), not a header?

    It is when a line, without its `#`, is a bare key and the next line sits deeper or is a
    list item under it: prose does not nest that way.
    """
    texts = [
        lines[i].lstrip(" \t").removeprefix("#").rstrip("\r\n") for i in range(first, last + 1)
    ]
    for text, following in itertools.pairwise(texts):
        key = KEY.fullmatch(text)
        deeper = indent(following) > len(key.group(1)) if key else False
        if key and (deeper or following.lstrip().startswith("- ")):
            return True
    return False


def headers(
    parsed: Parsed, kind: str = "services", entries: Mapping[str, Block] | None = None
) -> list[Header]:
    """Every group header of a top-level mapping (the services, or `entries` of `kind`)."""
    blocks = list((parsed.blocks if entries is None else entries).values())
    key = find_key(parsed.root, kind) if parsed.root is not None else None
    if not blocks or key is None:
        return []
    region = key[1].start_mark.line + 1
    lines = parsed.lines
    banners: list[tuple[int, int, int]] = []  # (first, last, index of the first entry)
    leads: list[tuple[int, int, int]] = []
    opens: list[bool] = []  # does a lead come first in the mapping or after a blank line
    commented: list[bool] = []  # does a comment sit above the entry (in its gap or lead)
    for i, block in enumerate(blocks):
        start = blocks[i - 1].tail + 1 if i else region
        found = paragraphs(lines, start, block.lead)
        if found and (found[-1][0] > start or i == 0) and not commented_out(lines, *found[-1]):
            banners.append((*found[-1], i))
        if block.lead < block.start and not commented_out(lines, block.lead, block.start - 1):
            leads.append((block.lead, block.start - 1, i))
            opens.append(block.lead == region or is_blank(lines[block.lead - 1]))
        commented.append(bool(found) or block.lead < block.start)
    starts = [i for _, _, i in banners] + [len(blocks)]
    out = [
        Header(first, last, tuple(b.name for b in blocks[i : starts[n + 1]]), lead=False)
        for n, (first, last, i) in enumerate(banners)
    ]
    for (first, last, i), opening in zip(leads, opens, strict=True):
        end = i + 1
        while (
            end < len(blocks)
            and not commented[end]
            and blocks[end - 1].tail + 1 == blocks[end].lead
        ):
            end += 1
        run = blocks[i:end]
        if len(run) > 1 and (opening or all(b.start == b.end for b in run)):
            out.append(Header(first, last, tuple(b.name for b in run), lead=True))
    return out


def kept_leads(found: list[Header], removed: Collection[str]) -> set[str]:
    """Services whose lead comment stays although they go: it introduces staying ones too."""
    return {h.services[0] for h in found if h.lead and not set(h.services) <= set(removed)}


def cut_banners(parsed: Parsed, found: list[Header], removed: Collection[str], plan: Plan) -> None:
    """Cut each banner whose services all go, after their blocks are planned."""
    for header in found:
        if not header.lead and header.services and set(header.services) <= set(removed):
            cut_header(parsed, header, plan)


def cut_header(parsed: Parsed, header: Header, plan: Plan) -> None:
    """Cut a banner and the blank lines under it; the next line keeps the spacing it had.

    The line that now follows the blank lines above the banner gets a blank line above it
    only if it had one: the end of the mapping (a top-level key, the end of the file) stays
    as close to the last kept service as it was to the last removed one.
    """
    lines = parsed.lines
    what = f"comment introducing {', '.join(header.services)}"
    plan.remove(header.first, header.last, what)
    after = header.last + 1
    while after < len(lines) and (after in plan.removed or is_blank(lines[after])):
        plan.remove(after, after, f"blank line after {what}")
        after += 1
    if after < len(lines) and is_blank(lines[after - 1]) and after - 1 > header.last:
        return
    before = header.first - 1
    while before >= 0 and (before in plan.removed or is_blank(lines[before])):
        plan.remove(before, before, f"blank line before {what}")
        before -= 1
