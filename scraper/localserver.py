"""A small HTTP server on 127.0.0.1 that answers from a route table, in a background thread.

The tests serve fixture responses with it and ``majobs demo`` serves the demo world with it, so
spiders always run through the real Scrapy engine against real HTTP, never the internet.

    with LocalServer() as server:
        server.add("/v1/boards/acme/jobs", json_body={"jobs": []})
        server.add("/wday/cxs/t/site/jobs", handler=my_handler, method="POST")
        crawl(... base_url=server.url ...)
        assert server.requests[0].path == "/robots.txt"

A handler gets a :class:`ServedRequest` and returns a :class:`Reply` (or ``None`` for 404).
Faults are replies too: ``Reply(status=429, headers={"Retry-After": "1"})``,
``Reply(body=b"{...", truncate=True)`` (closes mid-body), ``Reply(reset=True)`` (drops the
connection), ``Reply(delay=5)`` (answers late).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class ServedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Reply:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0
    truncate: bool = False  # announce the full length, send half, close
    reset: bool = False  # close the connection without answering

    @classmethod
    def json(cls, data: Any, status: int = 200, **kwargs: Any) -> Reply:
        return cls(json.dumps(data).encode("utf-8"), status=status, **kwargs)

    @classmethod
    def html(cls, text: str, status: int = 200, **kwargs: Any) -> Reply:
        kwargs.setdefault("content_type", "text/html; charset=utf-8")
        return cls(text.encode("utf-8"), status=status, **kwargs)


Handler = Callable[[ServedRequest], "Reply | None"]


@dataclass
class _Route:
    method: str
    path: str
    handler: Handler


class LocalServer:
    """Threaded HTTP server on a free loopback port; routes match on method + exact path."""

    def __init__(self, robots_txt: str | None = "User-agent: *\nAllow: /\n") -> None:
        self.routes: list[_Route] = []
        self.prefix_routes: list[_Route] = []
        self.requests: list[ServedRequest] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        if robots_txt is not None:
            self.add("/robots.txt", body=robots_txt, content_type="text/plain")

    # --- routes ---------------------------------------------------------------------------------
    def add(
        self,
        path: str,
        *,
        method: str = "GET",
        handler: Handler | None = None,
        reply: Reply | None = None,
        json_body: Any = None,
        body: bytes | str | None = None,
        status: int = 200,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        prefix: bool = False,
    ) -> None:
        """Serve ``path``: from a handler, a ready Reply, a JSON value or a body."""
        if handler is None:
            if reply is None:
                if json_body is not None:
                    reply = Reply.json(json_body, status=status, headers=headers or {})
                else:
                    reply = Reply(
                        body or b"",
                        status=status,
                        headers=headers or {},
                        content_type=content_type or "text/html; charset=utf-8",
                    )
            fixed = reply

            def handler(_: ServedRequest) -> Reply:
                return fixed

        route = _Route(method.upper(), path, handler)
        with self._lock:
            target = self.prefix_routes if prefix else self.routes
            # A later add() for the same path replaces the earlier one.
            target[:] = [r for r in target if not (r.method == route.method and r.path == path)]
            target.append(route)

    def find(self, method: str, path: str) -> Handler | None:
        with self._lock:
            for route in self.routes:
                if route.method == method and route.path == path:
                    return route.handler
            for route in sorted(self.prefix_routes, key=lambda r: -len(r.path)):
                if route.method == method and path.startswith(route.path):
                    return route.handler
        return None

    # --- serving --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalServer:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = ServedRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                )
                with server._lock:
                    server.requests.append(req)
                handler = server.find(self.command, parts.path)
                try:
                    reply = handler(req) if handler else None
                except Exception as exc:  # a broken handler is a 500, not a hung test
                    reply = Reply(f"handler error: {exc!r}", status=500, content_type="text/plain")
                if reply is None:
                    reply = Reply(b"not found", status=404, content_type="text/plain")
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.reset:
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    self.connection.close()
                    self.close_connection = True
                    return
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.truncate:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command == "HEAD":
                    return
                try:
                    if reply.truncate:
                        self.wfile.write(body[: len(body) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _serve

        class _Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="majobs-localserver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_to(self, path: str, method: str | None = None) -> list[ServedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]
