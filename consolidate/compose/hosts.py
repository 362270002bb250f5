"""Where kept compose services still reach a removed service by its host name.

Removing service `oldcache` leaves `REDIS_URL: redis://oldcache:6379/0` or `wait-for
oldcache:6379` in the services that stay: the name no longer resolves on the project network,
so they fail at run time while every `depends_on` check passes. These are found by shape, not
by word: a URL's host, `HOST:PORT`, the whole value of a `*_HOST`-style key, the word after
`-h`/`--host`/`--hostname`, and `nc -z HOST PORT`. A bare word in prose is a mention, not a
host, and is left to the text checks. Lines are 1-based: these go straight into messages.
"""

from __future__ import annotations

import codecs
import posixpath
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from consolidate.compose.locate import MAX_BYTES, MERGE_TAG, composed, merge_sources
from consolidate.compose.scan import relative_to

Read = Callable[[str], bytes | None]

# A key whose whole value is a host name.
HOST_KEY = re.compile(r"_(?:HOST|HOSTNAME|SERVER|ADDR|ADDRESS)\Z", re.IGNORECASE)
# scheme://authority: the authority ends at a path, query, fragment, space or shell punctuation.
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#\s\"'`;()<>]*)")
# HOST:PORT with HOST a whole token: not the tail of `my-host`, `a.host` or `image/host`, and
# PORT not the head of a version (`name:16.2`) or a word.
HOST_PORT = re.compile(r"(?<![\w.\-/])([\w.-]+):\d+(?![\w.])")
# ${VAR:-default} and ${VAR-default}: compose interpolation; the default is what runs when the
# variable is unset, so `redis://${CACHE_HOST:-oldcache}` still names oldcache.
DEFAULT = re.compile(r"\$\{[A-Za-z_]\w*:?-([^{}]*)\}")
# Shell words: quotes and shell punctuation separate them, which also opens up `sh -c "..."`.
WORD = re.compile(r"[^\s;&|()<>'\"`]+")
PORT = re.compile(r"\d+(?:-\d+)?")
HOST_OPTIONS = frozenset({"-h", "--host", "--hostname"})
NETCAT = frozenset({"nc", "ncat", "netcat"})
COMMAND_KEYS = ("command", "entrypoint")
# `KEY=VALUE` in an env file, optionally `export`ed (docs.docker.com/compose/env-file/).
ENV_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=(.*)")
SHOWN = 160
# What ruamel.yaml counts as a line break, so its marks index these lines.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class HostRef:
    file: str  # the compose file, or the env file the line is in
    line: int
    service: str  # the kept service that uses the host
    key: str  # "environment REDIS_URL", "command", "healthcheck test", "env_file REDIS_URL"
    host: str
    text: str  # the value, whitespace collapsed, for people


def host_references(
    path: str, data: bytes, hosts: Collection[str], read: Read | None = None
) -> list[HostRef]:
    """Values of the services not named in `hosts` that use one of `hosts` as a host name.

    Looks at `environment`, `command`, `entrypoint` and `healthcheck.test`, and with `read`
    (repository path -> bytes, None when missing) at the `KEY=VALUE` lines of the env files
    those services load. Anchors and merge keys are followed; a file that does not parse as
    YAML gives nothing.
    """
    wanted = frozenset(hosts)
    parsed = parse(data)
    if not wanted or parsed is None:
        return []
    root, lines = parsed
    services = get(root, "services")
    if not isinstance(services, MappingNode):
        return []
    found: list[HostRef] = []
    for key, block in services.value:
        if not isinstance(key, ScalarNode) or key.tag == MERGE_TAG or key.value in wanted:
            continue
        if isinstance(block, MappingNode):
            found += in_service(path, lines, str(key.value), block, wanted)
            if read is not None:
                found += in_env_files(path, str(key.value), block, wanted, read)
    return found


def parse(data: bytes) -> tuple[MappingNode, list[str]] | None:
    if len(data) > MAX_BYTES:
        return None
    try:
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        root = composed(text)
    except (UnicodeDecodeError, YAMLError, RecursionError, ValueError):
        return None
    return (root, LINE_BREAK.split(text)) if isinstance(root, MappingNode) else None


def in_service(
    path: str, lines: list[str], name: str, service: MappingNode, wanted: frozenset[str]
) -> list[HostRef]:
    found: list[HostRef] = []
    for key, value, scalar in environment(service):
        for host in value_hosts(key, value, wanted):
            line = line_of(lines, scalar, host)
            found.append(HostRef(path, line, name, f"environment {key}", host, shown(value)))
    for key, command in commands(service):
        scalars = command_scalars(command)
        text = shown(" ".join(str(s.value) for s in scalars))
        for host, where in command_hosts(scalars, wanted):
            found.append(HostRef(path, line_of(lines, where, host), name, key, host, text))
    return found


def commands(service: MappingNode) -> list[tuple[str, Node | None]]:
    found = [(key, get(service, key)) for key in COMMAND_KEYS]
    health = get(service, "healthcheck")
    if isinstance(health, MappingNode):
        found.append(("healthcheck test", get(health, "test")))
    return found


# The compose specification's two forms of `environment` (compose-spec 05-services.md,
# "environment"): a mapping `KEY: value` (a null value passes the variable through), or a
# list of `KEY=VALUE` strings (a bare `KEY` passes it through).
def environment(service: MappingNode) -> list[tuple[str, str, ScalarNode]]:
    """(key, value, the node the value is written in) of a service's environment."""
    node = get(service, "environment")
    if isinstance(node, SequenceNode):
        found = []
        for item in node.value:
            if isinstance(item, ScalarNode):
                key, eq, value = str(item.value).partition("=")
                if eq:
                    found.append((key.strip(), value, item))
        return found
    if isinstance(node, MappingNode):
        return [(key, str(v.value), v) for key, v in entries(node) if isinstance(v, ScalarNode)]
    return []


def entries(mapping: MappingNode) -> list[tuple[str, Node]]:
    """A mapping's entries with what it merges in (`<<:`); local keys win, as YAML merges do.
    Each merged mapping is read once, so aliases that merge aliases cannot blow up."""
    out: dict[str, Node] = {}
    merge_into(out, mapping, set(), 0)
    return list(out.items())


def merge_into(out: dict[str, Node], mapping: MappingNode, seen: set[int], depth: int) -> None:
    # A mapping seen before already gave its keys at a higher precedence.
    if id(mapping) in seen or depth > 50:
        return
    seen.add(id(mapping))
    for key, value in mapping.value:
        if isinstance(key, ScalarNode) and key.tag != MERGE_TAG:
            out.setdefault(str(key.value), value)
    for source in merge_sources(mapping):
        merge_into(out, source, seen, depth + 1)


def get(mapping: MappingNode, key: str) -> Node | None:
    return dict(entries(mapping)).get(key)


def command_scalars(node: Node | None) -> list[ScalarNode]:
    """A command in exec form (a list) or shell form (a string), as its scalars."""
    if isinstance(node, ScalarNode):
        return [node]
    if isinstance(node, SequenceNode):
        return [item for item in node.value if isinstance(item, ScalarNode)]
    return []


def value_hosts(key: str, value: str, wanted: frozenset[str]) -> list[str]:
    """The hosts of `wanted` a `KEY=VALUE` value uses: URL hosts, HOST:PORT, and the whole
    value when the key names a host (`CACHE_HOST`, `SMTP_SERVER`, `DB_ADDR`)."""
    value = expand_defaults(value)
    found = url_hosts(value) + port_hosts(value)
    if HOST_KEY.search(key.strip()):
        found.append(value.strip())
    return [host for host in dict.fromkeys(found) if host in wanted]


def command_hosts(scalars: list[ScalarNode], wanted: frozenset[str]) -> list[tuple[str, Node]]:
    """(host, the scalar its word is in) for the hosts of `wanted` a command uses."""
    words = [
        (word, scalar)
        for scalar in scalars
        for word in WORD.findall(expand_defaults(str(scalar.value)))
    ]
    plain = [word for word, _ in words]
    found: dict[tuple[str, int], Node] = {}
    for host, at in word_hosts(plain):
        node = words[at][1]
        if host in wanted:
            found.setdefault((host, id(node)), node)
    return [(host, node) for (host, _), node in found.items()]


def word_hosts(words: list[str]) -> Iterator[tuple[str, int]]:
    """(candidate host, index of the word it is in) for every host-shaped use in `words`."""
    for index, word in enumerate(words):
        for host in url_hosts(word) + port_hosts(word):
            yield host, index
        option, _, attached = word.partition("=")
        if option in HOST_OPTIONS:
            if attached:
                yield attached, index
            elif index + 1 < len(words):
                yield words[index + 1], index + 1
        if posixpath.basename(word) in NETCAT:
            target = netcat_target(words, index + 1)
            if target is not None:
                yield words[target], target


def netcat_target(words: list[str], start: int) -> int | None:
    """The index of HOST in `nc [options] HOST PORT`, skipping an option's number (`-w 1`)."""
    positional: list[int] = []
    after_option = False
    for index in range(start, min(start + 8, len(words))):
        word = words[index]
        if word.startswith("-"):
            after_option = True
            continue
        if not (after_option and word.isdigit()):
            positional.append(index)
        after_option = False
        if len(positional) == 2:
            break
    if len(positional) == 2 and PORT.fullmatch(words[positional[1]]):
        return positional[0]
    return None


def url_hosts(text: str) -> list[str]:
    """Hosts of every `scheme://[user[:pw]@]host[:port][,host[:port]]...` in `text`."""
    hosts: list[str] = []
    for authority in URL.findall(text):
        for part in authority.rpartition("@")[2].split(","):
            hosts.append(re.sub(r":\d*\Z", "", part))
    return hosts


def port_hosts(text: str) -> list[str]:
    return HOST_PORT.findall(text)


def expand_defaults(value: str) -> str:
    for _ in range(5):
        expanded = DEFAULT.sub(r"\1", value)
        if expanded == value:
            break
        value = expanded
    return value


# `env_file` (compose-spec 05-services.md, "env_file"): a path, a list of paths, or a list of
# `{path, required, format}`; a relative path is relative to the compose file's folder. Its
# lines are `VAR=VAL`, `#` comments and blank lines; values may be quoted, and an unquoted
# value ends at ` #` (docs.docker.com/compose/env-file/).
def env_file_paths(service: MappingNode) -> list[str]:
    node = get(service, "env_file")
    items = node.value if isinstance(node, SequenceNode) else [node]
    paths: list[str] = []
    for item in items:
        target = get(item, "path") if isinstance(item, MappingNode) else item
        if isinstance(target, ScalarNode) and target.tag != "tag:yaml.org,2002:null":
            paths.append(str(target.value))
    return paths


def in_env_files(
    path: str, name: str, service: MappingNode, wanted: frozenset[str], read: Read
) -> list[HostRef]:
    found: list[HostRef] = []
    for raw in dict.fromkeys(env_file_paths(service)):
        target = relative_to(path, raw)
        data = read(target) if target is not None else None
        if target is None or data is None or len(data) > MAX_BYTES:
            continue
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")
        for number, key, value in env_entries(text):
            for host in value_hosts(key, value, wanted):
                found.append(HostRef(target, number, name, f"env_file {key}", host, shown(value)))
    return found


def env_entries(text: str) -> Iterator[tuple[int, str, str]]:
    """(1-based line, key, value) of each `KEY=VALUE` line of an env file."""
    for number, line in enumerate(text.split("\n"), 1):
        match = ENV_LINE.fullmatch(line.rstrip("\r"))
        if match:
            yield number, match[1], unquote(match[2])


def unquote(raw: str) -> str:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        close = raw.find(raw[0], 1)
        return raw[1:close] if close > 0 else raw[1:]
    return re.split(r"\s#", raw, maxsplit=1)[0].strip()


def line_of(lines: list[str], node: Node, host: str) -> int:
    """The 1-based line of `node` where `host` is written (a scalar may span lines)."""
    first: int = node.start_mark.line
    last = min(int(node.end_mark.line), len(lines) - 1)
    token = re.compile(rf"(?<![\w.-]){re.escape(host)}(?![\w-]|\.\w)")
    for number in range(first, last + 1):
        if token.search(lines[number]):
            return number + 1
    return first + 1


def shown(value: str) -> str:
    text = " ".join(value.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def host_names(services: dict[str, Any]) -> set[str]:
    """The names a project's containers reach its services by: service names, container_name,
    hostname, network aliases and link aliases (`links: [db:database]`)."""
    names = set(services)
    for service in services.values():
        if not isinstance(service, dict):
            continue
        names.update(
            v for k in ("container_name", "hostname") if isinstance(v := service.get(k), str)
        )
        networks = service.get("networks")
        for network in networks.values() if isinstance(networks, dict) else []:
            aliases = network.get("aliases") if isinstance(network, dict) else None
            if isinstance(aliases, list):
                names.update(a for a in aliases if isinstance(a, str))
        links = service.get("links")
        for link in links if isinstance(links, list) else []:
            if isinstance(link, str) and ":" in link:
                names.add(link.split(":", 1)[1])
    return names
