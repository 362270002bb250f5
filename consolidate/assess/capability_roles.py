"""Lifecycle management: code that starts, stops, restarts, inspects or health-checks other
services, and what already does it in the repository (compose and management scripts).

A component that runs `docker compose restart scraper` and polls `http://indexer:8080/health`
manages other services' lifecycle, whatever libraries it imports. Compose already orders
start-up (`depends_on`, with `condition: service_healthy`) and health-checks services
(`healthcheck:`), and a management script that runs `docker compose up/stop/ps` does it by
hand: those are the repository's existing providers. Compose documents both keys:
https://docs.docker.com/reference/compose-file/services/#depends_on and
https://docs.docker.com/reference/compose-file/services/#healthcheck.

The component's side needs what its code does (a command, a Docker API call, a request to
another host's health endpoint); the names of services alone say nothing, and are only cited
next to such a fact, as the services it manages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from consolidate.assess.capability_data import LIFECYCLE, Evidence
from consolidate.compose.locate import composed, find_key
from consolidate.compose.projects import is_compose_name

SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".ps1", ".psm1", ".mk", ".bat", ".cmd")
SCRIPT_NAMES = {"makefile", "gnumakefile", "justfile"}
CODE_SUFFIXES = (".py", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
TOOLS = {"docker", "docker-compose", "podman", "podman-compose", "systemctl", "supervisorctl"}
VERBS = {"up", "down", "start", "stop", "restart", "kill", "ps", "inspect", "pause", "unpause",
         "rm", "status", "is-active", "wait", "top"}  # fmt: skip
ARG_FLAGS = {"-f", "--file", "-p", "--project-name", "--env-file", "--profile", "-H", "--host",
             "--context", "--project-directory", "-c"}  # fmt: skip
LITERAL = re.compile(r"""(["'`])((?:\\.|(?!\1)[^\\\n])*)\1""")
SCRIPT_WORD = re.compile(r"""[^\s'"`;|&()]+""")
URL = re.compile(r"""\bhttps?://(\[[^\]]*\]|[^/\s"'`:]+)(?::[^/\s"'`]*)?(/[^\s"'`)]*)""")
HEALTH_PATHS = {"health", "healthz", "healthcheck", "health-check", "ready", "readyz",
                "readiness", "live", "livez", "liveness", "ping"}  # fmt: skip
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "host.docker.internal"}
SDK_CALL = re.compile(r"\b(containers\.(?:get|list|run)|getContainer|listContainers)\s*\(")
HINT = re.compile(r"docker|podman|systemctl|supervisorctl|https?://|[Cc]ontainers?[.(]")
COMMENT = re.compile(r"^\s*(?:#|//|<#|REM\b|::)")


def is_script(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name in SCRIPT_NAMES or name.endswith(SCRIPT_SUFFIXES)


def words_of(line: str, code: bool) -> list[str]:
    """What a line runs: in code, the words of its string literals (an argv list or a command
    string); in a script, the line's own words."""
    if code:
        return [w for m in LITERAL.finditer(line) for w in m.group(2).split()]
    return SCRIPT_WORD.findall(line)


def commands(found: list[str]) -> Iterator[str]:
    """`docker compose -f x.yml restart` -> "docker compose restart", per tool on the line."""
    for index, word in enumerate(found):
        tool = word.rsplit("/", 1)[-1].lower().removesuffix(".exe")
        if tool not in TOOLS:
            continue
        said, skip = [tool], False
        for following in found[index + 1 : index + 9]:
            if following in VERBS:
                yield " ".join([*said, following])
                break
            if following == "compose" and len(said) == 1:
                said.append(following)
            elif following.startswith("-"):
                skip = following in ARG_FLAGS
            elif skip:
                skip = False
            else:
                break


def health_urls(line: str, allow_local: bool) -> Iterator[str]:
    for m in URL.finditer(line):
        host, segments = m.group(1).lower(), m.group(2).lower().split("/")
        if HEALTH_PATHS.intersection(segments) and (allow_local or host not in LOCAL_HOSTS):
            yield m.group(0)


def lifecycle(
    path: str, text: str, *, component: bool, services: Collection[str] = ()
) -> Iterator[Evidence]:
    """Lines that manage other services. On the component's side a local health URL is its own
    check, not another service's; `services` are other compose services, cited as managed when
    the file also does something to a service."""
    if not HINT.search(text):
        return
    code = path.endswith(CODE_SUFFIXES)
    lines = text.splitlines()
    found: list[Evidence] = []
    for number, line in enumerate(lines, 1):
        if not HINT.search(line) or COMMENT.match(line):
            continue
        said = [f"runs `{c}`" for c in commands(words_of(line, code))]
        said += [f"requests {u}" for u in health_urls(line, allow_local=not component)]
        if code:
            said += [f"calls the Docker API: {m.group(1)}()" for m in SDK_CALL.finditer(line)]
        found += [Evidence(LIFECYCLE, path, number, what) for what in said]
    yield from found
    if component and found:
        yield from managed(path, lines, {ev.line for ev in found}, set(services))


def managed(
    path: str, lines: list[str], acting: set[int], services: set[str]
) -> Iterator[Evidence]:
    """The services a managing file names: two or more on a line (`["scraper", "indexer"]`), or
    one on a line that acts on it."""
    for number, line in enumerate(lines, 1):
        if COMMENT.match(line):
            continue
        names = sorted({m.group(2) for m in LITERAL.finditer(line)} & services)
        if len(names) > 1 or (names and number in acting):
            yield Evidence(LIFECYCLE, path, number, f"names services {', '.join(names)}")


def compose_services(
    paths: Collection[str], read: Callable[[str], bytes | None]
) -> dict[str, MappingNode]:
    """Each compose file's `services:` mapping, for the files that parse."""
    out: dict[str, MappingNode] = {}
    for path in sorted(p for p in paths if is_compose_name(p)):
        data = read(path)
        try:
            root = composed(data.decode("utf-8-sig")) if data else None
        except Exception:  # a file that does not parse says nothing here
            continue
        found = find_key(root, "services") if isinstance(root, MappingNode) else None
        if found and isinstance(found[2], MappingNode):
            out[path] = found[2]
    return out


def service_names(files: dict[str, MappingNode]) -> set[str]:
    return {
        str(key.value)
        for node in files.values()
        for key, _ in node.value
        if isinstance(key, ScalarNode)
    }


def compose_lifecycle(path: str, services: MappingNode, own: Collection[str]) -> Iterator[Evidence]:
    """What compose does for the services that stay: health checks and start-up order."""
    for key, spec in services.value:
        name = str(key.value)
        if name in own or not isinstance(spec, MappingNode):
            continue
        check = find_key(spec, "healthcheck")
        if check and not disabled(check[2]):
            line = check[1].start_mark.line + 1
            yield Evidence(LIFECYCLE, path, line, f"compose health check of {name}")
        depends = find_key(spec, "depends_on")
        for target, node, condition in dependencies(depends[2] if depends else None):
            if target not in own:
                what = f"compose starts {name} after {target}"
                what += f" ({condition})" if condition else ""
                yield Evidence(LIFECYCLE, path, node.start_mark.line + 1, what)


def disabled(check: Node) -> bool:
    found = find_key(check, "disable") if isinstance(check, MappingNode) else None
    return bool(found and str(found[2].value).lower() == "true")


def dependencies(node: Node | None) -> Iterator[tuple[str, Node, str]]:
    """`depends_on` as (service, its node, condition): the short list form or the long one."""
    if isinstance(node, SequenceNode):
        for item in node.value:
            if isinstance(item, ScalarNode):
                yield str(item.value), item, ""
    elif isinstance(node, MappingNode):
        for key, spec in node.value:
            found = find_key(spec, "condition") if isinstance(spec, MappingNode) else None
            yield str(key.value), key, str(found[2].value) if found else ""
