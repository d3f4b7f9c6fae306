"""``briefgen serve``: build, serve the output folder, rebuild on every save, and reload the open pages.

A preview server for authors, not a production web server: it binds loopback unless told otherwise, answers from
a small fixed pool of worker threads (an open page's event stream holds no thread), serves only regular files inside
the output folder, and injects the live-reload script into the HTML it sends — the built files stay clean. While the
last build has errors, every page is an error page naming each file and line; it comes back by itself when fixed.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import mimetypes
import os
import queue
import secrets
import shutil
import socket
import stat
import sys
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import parse_qs, quote, unquote, urlsplit

from briefgen.config import site_folder_problem
from briefgen.livereload import (
    EVENTS_PATH,
    UNSERVED,
    Change,
    EventHub,
    Fingerprint,
    changed_paths,
    client_script,
    error_page,
    fingerprint_folder,
    inject_script,
    is_shared_asset,
    not_found_page,
    reloads_pages,
)
from briefgen.watch import (
    DEBOUNCE,
    Rebuild,
    Reporter,
    Watch,
    run_watch,
    sigterm_as_interrupt,
    start_watch,
    wait_forever,
)

__all__ = ["Preview", "run_serve_command", "run_watch", "start_preview"]

WORKERS = 8  # threads answering requests
BACKLOG = 64  # accepted connections waiting for a worker; more are refused with 503
REQUEST_TIMEOUT = 10.0  # seconds a client may take to send its request
# If the build's WriteStats lists the output paths it wrote or removed under this name, they are used as they
# are; otherwise the output folder is fingerprinted after each build (a walk that costs ~0.2-0.5 s at 10,000 pages).
REPORTED_CHANGES = "changed"
CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".xml": "application/xml",
    ".rss": "application/rss+xml", ".atom": "application/atom+xml", ".txt": "text/plain", ".md": "text/markdown",
    ".ics": "text/calendar", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif",
    ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
    ".wasm": "application/wasm", ".webmanifest": "application/manifest+json", ".pdf": "application/pdf",
}  # fmt: skip
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/rss+xml", "application/atom+xml",
              "image/svg+xml", "application/manifest+json")  # fmt: skip


def content_type(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    kind = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


def url_segments(path: str) -> tuple[str, ...] | None:
    """The decoded segments of a URL path; None for anything that could leave the folder (``..``, ``%2e%2e``)."""
    if not path.startswith("/"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    segments = tuple(s for s in decoded.split("/") if s)
    if any(s in (".", "..") or "\\" in s or "\x00" in s for s in segments):
        return None
    return segments


class SiteState:
    """What the server knows about the site: the last build, and a fingerprint of every output file."""

    def __init__(self, output: Path, hub: EventHub) -> None:
        self.output = output
        self.hub = hub
        self.last: Rebuild | None = None
        self._prints: dict[str, Fingerprint] = {}
        self._lock = threading.Lock()

    def record(self, rebuild: Rebuild, output: Path) -> Change:
        """Take a finished build in: find the output files whose bytes changed, and tell the open pages."""
        with self._lock:
            changed = self._output_changes(rebuild, output)
            flipped = self.last is not None and self.last.failed != rebuild.failed
            everything = flipped or any(is_shared_asset(p) for p in changed)
            self.output, self.last = output, rebuild.without_briefings()
        change = Change(rebuild.number, not rebuild.failed, everything, changed)
        self.hub.publish(change)
        return change

    def _output_changes(self, rebuild: Rebuild, output: Path) -> frozenset[str]:
        """The pages and shared assets a build changed: as the build reports them, else by fingerprints."""
        result = rebuild.result
        if result is None or not result.published:
            return frozenset()  # nothing was written
        reported = getattr(result.stats, REPORTED_CHANGES, None)
        if reported is not None and output == self.output:
            return frozenset(p for p in reported if reloads_pages(p))
        prints = fingerprint_folder(output, self._prints if output == self.output else {})
        changed = changed_paths(self._prints, prints)
        self._prints = prints
        return changed

    def current(self) -> tuple[Path, Rebuild | None]:
        with self._lock:
            return self.output, self.last


@dataclass(frozen=True, slots=True)
class Target:
    """What a URL names: its output path, the real file to send (None: not there), and whether it is a folder."""

    page: str
    file: str | None
    folder: bool


def locate(output: Path, segments: tuple[str, ...]) -> Target:
    """The file for a URL; only sent when its real path, symlinks resolved, is inside the real output folder, and
    not inside a version control folder there (``UNSERVED``)."""
    page = "/".join(segments)
    if segments and segments[0] in UNSERVED:
        return Target(page, None, False)
    candidate = os.path.join(output, *segments)
    folder = os.path.isdir(candidate)
    if folder:
        page = f"{page}/index.html" if page else "index.html"
        candidate = os.path.join(candidate, "index.html")
    real_root = os.path.realpath(output)
    real = os.path.realpath(candidate)
    if not real.startswith(real_root + os.sep) or not os.path.isfile(real):
        return Target(page, None, folder)
    return Target(page, real, folder)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    timeout = REQUEST_TIMEOUT
    server_version = "briefgen-serve"

    def do_GET(self) -> None:
        self.respond(send_body=True)

    def do_HEAD(self) -> None:
        self.respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the rebuild lines are the useful output

    def respond(self, *, send_body: bool) -> None:
        split = urlsplit(self.path)
        if split.path == EVENTS_PATH:
            self.stream_events(split.query)
            return
        segments = url_segments(split.path)
        if segments is None:
            self.send_bytes(HTTPStatus.BAD_REQUEST, b"bad path\n", "text/plain; charset=utf-8", send_body)
            return
        output, last = self.server.state.current()
        target = locate(output, segments)
        page, real = target.page, target.file
        if target.folder and segments and not split.path.endswith("/"):
            self.redirect("/" + "/".join(quote(s) for s in segments) + "/" + (f"?{split.query}" if split.query else ""))
            return
        wants_html = real is None and self.wants_html(page)
        is_html = real is not None and content_type(real).startswith("text/html")
        if last is not None and last.failed and (is_html or wants_html):
            body = error_page(last.errors, last.crash, len(last.warnings), self.script(None))
            self.send_bytes(HTTPStatus.INTERNAL_SERVER_ERROR, body, "text/html; charset=utf-8", send_body)
        elif real is None:
            if wants_html:
                body = not_found_page("/" + page, self.script(page))
                self.send_bytes(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", send_body)
            else:
                self.send_bytes(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)
        else:
            self.send_file(real, page, send_body)

    def wants_html(self, page: str) -> bool:
        suffix = PurePosixPath(page).suffix.lower()
        return suffix in ("", ".html", ".htm") or "text/html" in self.headers.get("Accept", "")

    def script(self, page: str | None) -> bytes:
        hub = self.server.state.hub
        return client_script(page, hub.build, hub.token)

    def send_file(self, real: str, page: str, send_body: bool) -> None:
        kind = content_type(real)
        try:
            handle = open(real, "rb")  # noqa: SIM115 - closed below
        except OSError:
            self.send_bytes(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)
            return
        with handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                self.send_bytes(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)
            elif kind.startswith("text/html"):
                body = inject_script(handle.read(), self.script(page))
                self.send_bytes(HTTPStatus.OK, body, kind, send_body)
            else:
                self.send_stream(handle, info.st_size, kind, send_body)

    def send_headers(self, status: HTTPStatus, length: int, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def send_bytes(self, status: HTTPStatus, body: bytes, kind: str, send_body: bool) -> None:
        self.send_headers(status, len(body), kind)
        if send_body:
            self.wfile.write(body)

    def send_stream(self, handle: BinaryIO, size: int, kind: str, send_body: bool) -> None:
        self.send_headers(HTTPStatus.OK, size, kind)
        if send_body:
            shutil.copyfileobj(handle, self.wfile, 64 * 1024)

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream_events(self, query: str) -> None:
        """Answer with an event stream and hand the socket to the hub: no thread stays with it."""
        hub = self.server.state.hub
        if hub.full():
            self.send_bytes(HTTPStatus.SERVICE_UNAVAILABLE, b"too many pages open\n", "text/plain", True)
            return
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        build = _build_number(params.get("build", ""))
        missed = hub.missed(params.get("path"), build, params.get("token"))
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.flush()
        first = b"retry: 1000\n\n" + (hub.reload_message() if missed else b": hello\n\n")
        self.close_connection = True
        self.server.detach(self.request)
        hub.adopt(self.request, first, params.get("path"))


def _build_number(text: str) -> int | None:
    """A page's ``build=`` parameter, the build it was served from; None for anything else (``str.isdigit`` takes
    "²", which ``int`` refuses, and ``int`` refuses 4,300 digits and more)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


class PreviewServer(HTTPServer):
    """An HTTP server with a fixed pool of worker threads and a bounded queue of waiting connections."""

    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: SiteState, workers: int = WORKERS, backlog: int = BACKLOG):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.state = state
        self._waiting: queue.Queue[tuple[socket.socket, object] | None] = queue.Queue(backlog)
        self._detached: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        super().__init__(address, PreviewHandler)  # binds: may raise (port taken)
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for worker in self._workers:
            worker.start()

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            self._waiting.put_nowait((request, client_address))
        except queue.Full:
            self._refuse(request)

    def _refuse(self, request: socket.socket) -> None:
        with contextlib.suppress(OSError):
            request.settimeout(0.5)
            request.sendall(
                b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
                b"Content-Length: 5\r\nConnection: close\r\n\r\nbusy\n"
            )
        self.shutdown_request(request)

    def _work(self) -> None:
        while (item := self._waiting.get()) is not None:
            request, address = item
            try:
                self.finish_request(request, address)  # type: ignore[arg-type]
            except Exception:
                self.handle_error(request, address)  # type: ignore[arg-type]
            finally:
                self.shutdown_request(request)

    def detach(self, request: socket.socket) -> None:
        """Keep ``request`` open after its handler returns: the event hub owns it now."""
        with self._lock:
            self._detached.add(request)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._lock:
            if request in self._detached:
                self._detached.discard(request)
                return
        super().shutdown_request(request)

    def handle_error(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the client went away
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def server_close(self) -> None:
        super().server_close()
        for _ in self._workers:
            with contextlib.suppress(queue.Full):
                self._waiting.put_nowait(None)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_url(server: PreviewServer) -> str:
    """The address to open; a server on every interface is opened through loopback."""
    host, port = server.server_address[:2]
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(str(host), str(host))
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@dataclass
class Preview:
    """A running preview: watcher, builder and HTTP server; ``close`` stops them."""

    url: str
    server: PreviewServer
    state: SiteState
    watch: Watch
    thread: threading.Thread

    def close(self, wait: float = 10.0) -> None:
        """Stop watching and serving; wait up to ``wait`` seconds for a build in progress to finish."""
        self.watch.close(wait)
        self.server.shutdown()
        self.server.server_close()
        self.state.hub.close()


def start_preview(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    drafts: bool = False,
    jobs: int = 0,
    search: bool = True,
    out: Path | None = None,
    debounce: float = DEBOUNCE,
    workers: int = WORKERS,
    on_rebuild: Callable[[Rebuild], None] | None = None,
    isolate: bool = True,
) -> Preview:
    """Bind, build once, then serve and rebuild on every change; returns when the first build is served."""
    from briefgen.watch import plan_watch

    plan = plan_watch(root, out)
    state = SiteState(Path(plan.output), EventHub(secrets.token_urlsafe(8)))
    server = PreviewServer((host, port), state, workers)  # bind first: a taken port fails before a long build
    first_built = threading.Event()

    def done(rebuild: Rebuild) -> None:
        try:
            state.record(rebuild, Path(plan_watch(root, out).output))
            if on_rebuild is not None:
                on_rebuild(rebuild)
        finally:
            first_built.set()  # even if recording failed: serve, rather than wait for ever

    try:
        watch = start_watch(
            root,
            done,
            out=out,
            drafts=drafts,
            jobs=jobs,
            search=search,
            debounce=debounce,
            isolate=isolate,
            open_pages=state.hub.open_pages,
        )
    except BaseException:
        server.server_close()
        raise
    try:
        while not first_built.wait(0.2):
            pass
    except BaseException:
        watch.close()
        server.server_close()
        raise
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    return Preview(server_url(server), server, state, watch, thread)


def run_serve_command(args: argparse.Namespace) -> int:
    """``briefgen serve [DIR] [--host] [--port] [--open] [--drafts] [--no-search]``."""
    missing = site_folder_problem(args.site)
    if missing is not None:
        print(missing, file=sys.stderr)
        return 1
    if not is_loopback(args.host):
        print(
            f"briefgen: warning: serving on {args.host}: other machines can reach this preview, "
            "which has no authentication; use the default 127.0.0.1 unless you mean it",
            file=sys.stderr,
        )
    reporter = Reporter(quiet=False, strict=False)
    with sigterm_as_interrupt():
        try:
            preview = start_preview(
                args.site, host=args.host, port=args.port, drafts=args.drafts, jobs=getattr(args, "jobs", 0) or 0,
                search=not args.no_search, out=getattr(args, "out", None), on_rebuild=reporter,
            )  # fmt: skip
        except OSError as exc:
            print(f"briefgen: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0
        print(f"briefgen: serving {preview.state.output} at {preview.url} (Ctrl-C to stop)", flush=True)
        if args.open:
            threading.Thread(target=webbrowser.open, args=(preview.url,), daemon=True).start()
        try:
            wait_forever()
        except KeyboardInterrupt:
            pass
        finally:
            preview.close(wait=0)
    print("briefgen: stopped", flush=True)
    return 0
