"""Live reload for ``briefgen serve``: which output files changed, and server-sent events to tell the pages.

The server injects a small script into the HTML it serves (never into the built files). The script listens on
``/__briefgen__/events``; after each build the server sends the output paths whose bytes changed, and a page
reloads when its own path is among them, or when a shared asset (CSS, scripts, images, fonts) changed, or when
the build started or stopped failing. A page that connects late says which build it was served from, and is told
at once if it has missed its change.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import socket
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from briefgen.model import Problem

EVENTS_PATH = "/__briefgen__/events"
SHARED_ASSETS = (".css", ".js", ".mjs", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico",
                 ".woff", ".woff2", ".ttf", ".otf")  # fmt: skip
MAX_LISTED = 500  # more changed paths than this are sent as "everything changed"
MAX_CLIENTS = 256
PING_SECONDS = 15.0

StatKey = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    stat: StatKey  # device, inode, size, mtime: unchanged means the bytes are unchanged
    digest: bytes


def _stat_key(stat: os.stat_result) -> StatKey:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def reloads_pages(path: str) -> bool:
    """Whether a change to this output file can change what an open page shows: pages and shared assets."""
    return path.lower().endswith((".html", ".htm", *SHARED_ASSETS))


# Version control folders a site folder may hold (a gh-pages checkout, carried from build to build): never served,
# as web servers are set up not to (a ``.git/config`` can hold credentials), nor looked through for pages
UNSERVED = frozenset({".git", ".hg", ".svn", ".bzr"})


def _page_files(folder: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Pages and shared assets below ``folder``, by output path; other files are not even stat'ed."""
    stack = [(folder, "")]
    while stack:
        current, prefix = stack.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if not prefix and entry.name in UNSERVED:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, f"{prefix}{entry.name}/"))
                    elif reloads_pages(entry.name) and entry.is_file(follow_symlinks=False):
                        yield f"{prefix}{entry.name}", entry
        except OSError:
            continue  # removed while we looked: the next build's snapshot sees it


def fingerprint_folder(folder: Path, previous: dict[str, Fingerprint]) -> dict[str, Fingerprint]:
    """A content hash per page and shared asset below ``folder``; files whose stat did not change keep theirs.

    Publishing hard-links unchanged files from the previous site, so after an edit only the files written anew
    are read. With no previous fingerprints (the first build) nothing is read: there is nothing to compare with.
    """
    prints: dict[str, Fingerprint] = {}
    for name, entry in _page_files(os.fspath(folder)):
        try:
            key = _stat_key(entry.stat(follow_symlinks=False))
            old = previous.get(name)
            if old is not None and old.stat == key:
                prints[name] = old
            elif not previous:
                prints[name] = Fingerprint(key, b"")
            else:
                with open(entry.path, "rb") as handle:
                    prints[name] = Fingerprint(key, hashlib.file_digest(handle, "blake2b").digest())
        except OSError:
            continue
    return prints


def changed_paths(old: dict[str, Fingerprint], new: dict[str, Fingerprint]) -> frozenset[str]:
    """Output paths added, removed, or whose bytes differ."""
    gone = old.keys() - new.keys()
    return frozenset(gone | {p for p, f in new.items() if p not in old or old[p].digest != f.digest})


def is_shared_asset(path: str) -> bool:
    return path.lower().endswith(SHARED_ASSETS)


@dataclass(frozen=True, slots=True)
class Change:
    """What one build changed, as the pages see it."""

    build: int
    ok: bool
    everything: bool  # reload every page: a shared asset changed, or the build started/stopped failing
    paths: frozenset[str]

    def message(self, token: str) -> bytes:
        everything = self.everything or len(self.paths) > MAX_LISTED
        listed = [] if everything else sorted(self.paths)
        return reload_event(self.build, token, ok=self.ok, everything=everything, paths=listed)


def reload_event(build: int, token: str, *, ok: bool, everything: bool, paths: list[str]) -> bytes:
    """One server-sent event; ``all`` tells every page to reload, ``changed`` lists output paths."""
    data = {"build": build, "token": token, "ok": ok, "all": everything, "changed": paths}
    return f"event: reload\ndata: {json.dumps(data)}\n\n".encode()


class EventHub:
    """Server-sent event streams to every open page, written by one broadcaster, not one thread per page.

    A request handler hands its socket over after the response headers (``adopt``), so an open page does not
    hold a worker thread. Clients that stop reading or go away are dropped.
    """

    def __init__(self, token: str, max_clients: int = MAX_CLIENTS) -> None:
        self.token = token
        self.max_clients = max_clients
        self.build = 0
        self._changed_in: dict[str, int] = {}  # output path -> the last build that changed it
        self._everything_in = 0  # the last build that changed every page
        self._clients: list[socket.socket] = []
        self._pages: dict[socket.socket, str] = {}  # the page each stream was opened from, when it said
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pinger = threading.Thread(target=self._ping_loop, name="briefgen-sse-ping", daemon=True)
        self._pinger.start()

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def full(self) -> bool:
        return self.clients >= self.max_clients

    def missed(self, path: str | None, build: int | None, token: str | None) -> bool:
        """Whether a page served from ``build`` (of the server ``token``) has missed a change to ``path``."""
        if token is None or build is None:
            return False
        with self._lock:
            if token != self.token or build > self.build:
                return True  # served by an earlier server
            if path is None:
                return build < self.build
            return max(self._everything_in, self._changed_in.get(path, 0)) > build

    def open_pages(self) -> frozenset[str]:
        """The output paths of the pages open now (as their streams named them)."""
        with self._lock:
            return frozenset(self._pages.values())

    def adopt(self, sock: socket.socket, first: bytes = b"", page: str | None = None) -> bool:
        """Take over an event-stream socket whose headers are sent; False (and closed) when full or gone."""
        sock.setblocking(False)
        with self._lock:
            accepted = len(self._clients) < self.max_clients and self._send(sock, first or b": hello\n\n")
            if accepted:
                self._clients.append(sock)
                if page:
                    self._pages[sock] = page
        if not accepted:
            _close(sock)
        return accepted

    def publish(self, change: Change) -> None:
        with self._lock:
            self.build = change.build
            if change.everything:
                self._everything_in = change.build
            for path in change.paths:
                self._changed_in[path] = change.build
            self._broadcast(change.message(self.token))

    def reload_message(self) -> bytes:
        return reload_event(self.build, self.token, ok=True, everything=True, paths=[])

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            for sock in self._clients:
                _close(sock)
            self._clients.clear()
            self._pages.clear()

    def _broadcast(self, message: bytes) -> None:
        kept = []
        for sock in self._clients:
            if self._send(sock, message):
                kept.append(sock)
            else:
                self._pages.pop(sock, None)
                _close(sock)
        self._clients = kept

    def _send(self, sock: socket.socket, message: bytes) -> bool:
        try:
            sent = sock.send(message)
        except OSError:
            return False
        return sent == len(message)  # a client whose buffer is full has stopped reading

    def _ping_loop(self) -> None:
        while not self._stop.wait(PING_SECONDS):
            with self._lock:
                self._broadcast(b": ping\n\n")


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()


CLIENT_SCRIPT = """<script data-briefgen-livereload>
(() => {
  const page = %(page)s, build = %(build)d, token = %(token)s;
  let url = "%(events)s?build=" + build + "&token=" + encodeURIComponent(token);
  if (page !== null) url += "&path=" + encodeURIComponent(page);
  const events = new EventSource(url);
  window.briefgenLiveReload = events;
  events.addEventListener("reload", (event) => {
    const change = JSON.parse(event.data);
    if (page === null || change.all || change.changed.includes(page)) {
      events.close();
      location.reload();
    }
  });
})();
</script>
"""


def _script_literal(value: str | None) -> str:
    """A JSON literal safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def client_script(page: str | None, build: int, token: str) -> bytes:
    """The reload script for a page; ``page`` None means reload after any build (the error page)."""
    values = {"page": _script_literal(page), "build": build, "token": _script_literal(token), "events": EVENTS_PATH}
    return (CLIENT_SCRIPT % values).encode("utf-8")


def inject_script(document: bytes, script: bytes) -> bytes:
    """``document`` with ``script`` before its last ``</body>``, or at the end when it has none."""
    at = document.lower().rfind(b"</body>")
    if at < 0:
        return document + script
    return document[:at] + script + document[at:]


ERROR_STYLE = """body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1a1a1a}
h1{color:#a00;font-size:1.6rem}li{margin:.5rem 0}code,pre{font:14px/1.4 ui-monospace,monospace}
pre{background:#f6f6f6;padding:1rem;overflow:auto}.where{font-weight:bold}"""


def _problem_item(problem: Problem) -> str:
    where = problem.path or "briefgen"
    if problem.line is not None:
        where = f"{where}:{problem.line}"
    return (
        f'<li><code class="where">{html.escape(where)}</code>: {html.escape(problem.level)}: '
        f"{html.escape(problem.message)}</li>"
    )


def error_page(errors: Iterable[Problem], crash: str, warnings: int, script: bytes) -> bytes:
    """A readable page for a failed build: each error with its file and line, everything escaped."""
    items = "\n".join(_problem_item(p) for p in errors)
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Build failed · briefgen</title>',
        f"<style>{ERROR_STYLE}</style>\n</head>\n<body>\n<h1>The build failed</h1>",
        "<p>Fix the file and save it: this page reloads by itself when the build succeeds.</p>",
    ]
    if items:
        parts.append(f'<ul class="errors">\n{items}\n</ul>')
    if crash:
        parts.append(f"<p>briefgen itself raised an exception:</p>\n<pre>{html.escape(crash)}</pre>")
    if warnings:
        parts.append(f"<p>There {'is 1 warning' if warnings == 1 else f'are {warnings} warnings'} as well.</p>")
    parts.append("</body>\n</html>\n")
    return inject_script("\n".join(parts).encode("utf-8"), script)


def not_found_page(path: str, script: bytes) -> bytes:
    body = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Not found · briefgen</title>\n'
        f"<style>{ERROR_STYLE}</style>\n</head>\n<body>\n<h1>Not found</h1>\n"
        f"<p>The site has no <code>{html.escape(path)}</code> (yet): this page reloads when it appears.</p>\n"
        '<p><a href="/">Home</a></p>\n</body>\n</html>\n'
    )
    return inject_script(body.encode("utf-8"), script)
