"""Worker heartbeats in Redis.

Each worker writes ``taskhub:worker:<hostname>`` with a short TTL; the key
disappearing means the worker is gone. This speaks just enough of the Redis
protocol (RESP) to issue SET, so the backend image needs no Redis client.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

log = logging.getLogger("taskhub.heartbeat")

KEY_PREFIX = "taskhub:worker:"


def encode(command: Sequence[str]) -> bytes:
    parts = [f"*{len(command)}\r\n".encode()]
    for arg in command:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def publish(redis_url: str, name: str | None = None, ttl: int = 90, timeout: float = 2.0) -> bool:
    """Best effort: log and return False instead of raising when Redis is down."""
    url = urlsplit(redis_url)
    database = int(url.path.lstrip("/") or 0)
    commands: list[list[str]] = []
    if url.password:
        commands.append(["AUTH", url.password])
    if database:
        commands.append(["SELECT", str(database)])
    key = KEY_PREFIX + (name or socket.gethostname())
    commands.append(["SET", key, str(int(time.time())), "EX", str(ttl)])
    try:
        with socket.create_connection(
            (url.hostname or "localhost", url.port or 6379), timeout=timeout
        ) as sock:
            sock.sendall(b"".join(encode(command) for command in commands))
            replies = _read_lines(sock, len(commands))
    except OSError as exc:
        log.warning("heartbeat to %s failed: %s", url.hostname, exc)
        return False
    errors = [reply for reply in replies if reply.startswith("-")]
    if errors:
        log.warning("heartbeat rejected: %s", errors[0])
    return not errors


def _read_lines(sock: socket.socket, count: int) -> list[str]:
    buffer = b""
    while buffer.count(b"\r\n") < count:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("redis closed the connection")
        buffer += chunk
    return [line.decode(errors="replace") for line in buffer.split(b"\r\n")[:count]]
