"""briefgen serve and build --watch: a real server on a free loopback port, real file edits, real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TypeVar

import pytest

from briefgen.build import BuildResult, build_site
from briefgen.livereload import EVENTS_PATH, MAX_CLIENTS, EventHub, changed_paths, fingerprint_folder
from briefgen.serve import Preview, SiteState, content_type, start_preview, url_segments
from briefgen.watch import BuildCancelled, Builder, BuildProcess, Reaper, Rebuild, is_editor_junk, plan_watch
from briefgen.write import site_lock
from tests.helpers import REPO, clean_build_of, make_site, tree_bytes

T = TypeVar("T")
TIMEOUT = 30.0

OLDER = "---\ntitle: Older news\ndate: 2025-07-01\n---\nPutin said on Monday that talks went well.\n"
HARBOUR = "---\ntitle: Harbour strike\ndate: 2025-08-11\n---\nDock workers in Gdansk will strike on Friday.\n"
BROKEN = "---\ntitle: [oops\ndate: 2025-08-12\n---\nText.\n"


def poll(check: Callable[[], T | None], timeout: float = TIMEOUT, what: str = "condition") -> T:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(url: str, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Reply:
    """One raw HTTP request: the path is sent exactly as given (no client-side normalising)."""
    host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def get_text(url: str, path: str) -> tuple[int, str]:
    reply = request(url, path)
    return reply.status, reply.text


def wait_for_error_page(url: str, what: str = "the error page") -> str:
    return poll(lambda: (r := request(url, "/")).status == 500 and r, what=what).text


class EventStream:
    """A server-sent events client: a socket reading ``event:``/``data:`` blocks."""

    def __init__(self, url: str, query: str = "") -> None:
        host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=TIMEOUT)
        self.sock.sendall(f"GET {EVENTS_PATH}{query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        self.status = int(self.file.readline().split()[1])
        while self.file.readline().strip():
            pass  # headers

    def next_event(self) -> dict[str, object]:
        data = None
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError("event stream closed")
            line = line.decode().rstrip("\n")
            if line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
            elif not line and data is not None:
                return data

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "s", {"content/older.md": OLDER, "content/2025-08-11-harbour.md": HARBOUR})


@pytest.fixture
def preview(site: Path, nlp: object) -> Iterator[Preview]:
    """A preview of a fresh site, for tests that edit it."""
    running = start_preview(site, port=0, jobs=1)
    yield running
    running.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, nlp: object) -> Iterator[tuple[Preview, Path]]:
    """One preview shared by the tests that only read, with symlinks out of the output folder planted in it."""
    root = make_site(tmp_path_factory.mktemp("served") / "s", {"content/older.md": OLDER})
    running = start_preview(root, port=0, jobs=1)
    (root / "site" / "leak.yml").symlink_to(root / "briefgen.yml")
    (root / "site" / "leakdir").symlink_to(root)
    (root / "site" / ".git").mkdir()  # a gh-pages checkout: kept by the builds, never served
    (root / "site" / ".git" / "config").write_text("[remote]\nurl = https://token@example.org/x\n", "utf-8")
    yield running, root
    running.close()


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# ---------------------------------------------------------------- serving an edit


def test_serve_no_search_serves_the_site_without_its_index(site: Path, nlp: object) -> None:
    running = start_preview(site, port=0, jobs=1, search=False)
    try:
        status, page = get_text(running.url, "/search/index.html")
        assert status == 200 and "This build has no search index." in page
        assert request(running.url, "/pagefind/").status == 404
        assert get_text(running.url, "/briefings/harbour/index.html")[0] == 200
    finally:
        running.close()


def test_edit_is_served_and_published_files_stay_clean(preview: Preview, site: Path) -> None:
    status, html = get_text(preview.url, "/briefings/older/")
    assert status == 200 and "Putin said on Monday" in html
    assert "data-briefgen-livereload" in html and html.index("data-briefgen-livereload") < html.rindex("</body>")
    append(site / "content" / "older.md", "The harbour reopened at noon on Tuesday.\n")
    poll(lambda: "harbour reopened at noon" in get_text(preview.url, "/briefings/older/")[1], what="the edit served")
    published = (site / "site" / "briefings" / "older" / "index.html").read_text(encoding="utf-8")
    assert "harbour reopened at noon" in published and "briefgen-livereload" not in published
    assert "__briefgen__" not in "".join(p.read_text("utf-8", "replace") for p in (site / "site").rglob("*.html"))


def test_an_odd_build_number_still_gets_the_event_stream(preview: Preview) -> None:
    """``build=²`` passed ``str.isdigit`` and made ``int`` raise: the connection dropped, a traceback was printed.
    (A preview of its own: the streams stay counted until the hub next writes to them.)"""
    for build in ("%C2%B2", "9" * 5000, "-1", "x"):
        stream = EventStream(preview.url, f"?build={build}")
        try:
            assert stream.status == 200, build
        finally:
            stream.close()


def test_reload_event_lists_only_changed_pages(preview: Preview, site: Path) -> None:
    stream = EventStream(preview.url)
    try:
        assert stream.status == 200
        append(site / "content" / "older.md", "Talks resumed on Wednesday.\n")
        event = stream.next_event()
    finally:
        stream.close()
    assert event["ok"] is True and event["all"] is False
    changed = event["changed"]
    assert isinstance(changed, list)
    assert "briefings/older/index.html" in changed
    assert "briefings/harbour/index.html" not in changed  # its bytes did not change: that page does not reload


def test_late_page_learns_it_missed_a_change(preview: Preview, site: Path) -> None:
    html = get_text(preview.url, "/briefings/older/")[1]
    token = html.split('token = "')[1].split('"')[0]
    build = int(html.split("build = ")[1].split(",")[0])
    append(site / "content" / "older.md", "Talks resumed on Thursday.\n")
    poll(lambda: preview.state.hub.build > build, what="the rebuild")
    for path, expect_reload in (("briefings/older/index.html", True), ("briefings/harbour/index.html", False)):
        stream = EventStream(preview.url, f"?build={build}&token={token}&path={path}")
        try:
            first = stream.file.readline(), stream.file.readline(), stream.file.readline()
        finally:
            stream.close()
        assert (b"event: reload\n" in first) is expect_reload, (path, first)


# ---------------------------------------------------------------- failing builds


def test_broken_article_shows_error_page_then_recovers(preview: Preview, site: Path) -> None:
    bad = site / "content" / "bad.md"
    bad.write_text(BROKEN, encoding="utf-8")
    html = wait_for_error_page(preview.url)
    assert "content/bad.md:2" in html or "content/bad.md:3" in html, html
    assert "invalid YAML front matter" in html and "data-briefgen-livereload" in html
    assert get_text(preview.url, "/briefings/older/")[0] == 500, "every page is the error page"
    assert request(preview.url, "/static/style.css").status == 200, "assets are still served"
    bad.write_text(BROKEN.replace("[oops", "Fixed"), encoding="utf-8")
    poll(lambda: get_text(preview.url, "/")[0] == 200, what="the page back")
    assert get_text(preview.url, "/briefings/bad/")[0] == 200


def test_an_output_folder_refused_for_what_it_holds_is_built_once_cleared(site: Path, nlp: object) -> None:
    """A build refuses to replace a ``site/`` holding the author's notes; no watched source changes when they move
    them away, yet the error page goes by itself: the folder is looked at until it may be replaced."""
    (site / "site").mkdir()
    (site / "site" / "notes.txt").write_text("mine\n", encoding="utf-8")
    running = start_preview(site, port=0, jobs=1)
    try:
        html = wait_for_error_page(running.url)
        assert "holds what briefgen did not write (notes.txt)" in html, html
        (site / "site" / "notes.txt").rename(site / "notes.txt")
        poll(lambda: get_text(running.url, "/")[0] == 200, what="the site built once notes.txt was moved away")
        assert (site / "site" / "briefings.json").is_file() and (site / "notes.txt").is_file()
    finally:
        running.close()


def test_an_output_folder_cleared_as_soon_as_the_error_shows_is_built(site: Path, nlp: object) -> None:
    """The author may clear the folder the moment the error page shows, before the server has looked at it: the build
    it refused is what says so, not a look taken afterwards (which found the folder clear, and left the error page
    up for good). Here the folder is cleared while the refused build is being reported, before anything looks."""
    (site / "site").mkdir()
    (site / "site" / "notes.txt").write_text("mine\n", encoding="utf-8")

    def clear(rebuild: Rebuild) -> None:
        if rebuild.failed and (site / "site" / "notes.txt").exists():
            (site / "site" / "notes.txt").rename(site / "notes.txt")

    running = start_preview(site, port=0, jobs=1, on_rebuild=clear)
    try:
        poll(lambda: get_text(running.url, "/")[0] == 200, what="the site built once notes.txt was moved away")
        assert (site / "site" / "briefings.json").is_file() and (site / "notes.txt").is_file()
    finally:
        running.close()


def test_error_messages_are_escaped(preview: Preview, site: Path) -> None:
    (site / "content" / "<img src=x>.md").write_text("---\ntitle: [<b>oops\n---\nText.\n", encoding="utf-8")
    html = wait_for_error_page(preview.url)
    assert "&lt;img src=x&gt;.md" in html and "<img src=x>" not in html


def test_exception_in_build_site_is_an_error_page(site: Path, nlp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> BuildResult:
        raise RuntimeError("the <renderer> fell over")

    preview = start_preview(site, port=0, jobs=1, isolate=False)  # build_site on the builder thread, patchable
    try:
        monkeypatch.setattr("briefgen.watch.build_site", boom)
        append(site / "content" / "older.md", "More.\n")
        html = wait_for_error_page(preview.url, "the crash page")
        assert "RuntimeError: the &lt;renderer&gt; fell over" in html
        monkeypatch.setattr("briefgen.watch.build_site", build_site)
        append(site / "content" / "older.md", "Even more.\n")
        poll(lambda: get_text(preview.url, "/")[0] == 200, what="the site back")
    finally:
        preview.close()


# ---------------------------------------------------------------- what is served


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/../briefgen.yml", 400),
        ("/%2e%2e/briefgen.yml", 400),
        ("/%2E%2E%2Fbriefgen.yml", 400),
        ("/static/..%2f..%2fbriefgen.yml", 400),
        ("/static/%2e%2e/%2e%2e/content/older.md", 400),
        ("/..%5c..%5cbriefgen.yml", 400),
        ("/index.html%00.css", 400),
        ("/%ff", 400),
        ("/briefgen.yml", 404),
        ("/leak.yml", 404),  # a symlink inside the output folder to a file outside it
        ("/leakdir/briefgen.yml", 404),  # a symlinked folder leading out
        ("/.git/config", 404),
        ("/.git/", 404),
        ("/static/style.css", 200),  # not a refusal
    ],
)
def test_paths_outside_the_output_folder_are_refused(served: tuple[Preview, Path], path: str, status: int) -> None:
    response = request(served[0].url, path)
    assert response.status == status
    assert b"Test briefings" not in response.body


def test_index_redirect_head_and_content_types(served: tuple[Preview, Path]) -> None:
    preview = served[0]
    home = request(preview.url, "/")
    assert home.status == 200 and home.headers["Content-Type"] == "text/html; charset=utf-8"
    moved = request(preview.url, "/briefings/older?x=1")
    assert moved.status == 301 and moved.headers["Location"] == "/briefings/older/?x=1"
    css = request(preview.url, "/static/style.css", "HEAD")
    assert css.status == 200 and css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert int(css.headers["Content-Length"]) > 0 and css.body == b""
    markdown = request(preview.url, "/briefings/older/briefing.md")
    assert markdown.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert b"briefgen-livereload" not in markdown.body
    missing = request(preview.url, "/briefings/nothing/", headers={"Accept": "text/html"})
    assert missing.status == 404 and b"briefgen-livereload" in missing.body


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("a.json", "application/json; charset=utf-8"),
        ("x.wasm", "application/wasm"),
        ("x.woff2", "font/woff2"),
        ("cal.ics", "text/calendar; charset=utf-8"),
        ("x.pf_fragment", "application/octet-stream"),
    ],
)
def test_content_type(name: str, kind: str) -> None:
    assert content_type(name) == kind


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("/", ()),
        ("/briefings/a%20b/", ("briefings", "a b")),
        ("//static//x.css", ("static", "x.css")),
        ("/../x", None),
        ("/a/./b", None),
        ("/%2e%2e", None),
        ("/a%2f..%2fb", None),
        ("/a%5cb", None),
        ("relative", None),
    ],
)
def test_url_segments(path: str, segments: tuple[str, ...] | None) -> None:
    assert url_segments(path) == segments


def test_many_clients_do_not_exhaust_threads(served: tuple[Preview, Path]) -> None:
    preview = served[0]
    threads_before = threading.active_count()
    streams = []
    try:
        for _ in range(MAX_CLIENTS):
            streams.append(EventStream(preview.url))
        assert all(s.status == 200 for s in streams)
        # A stream's headers reach the client just before the hub adopts its socket: wait until all are adopted.
        poll(lambda: preview.state.hub.clients >= MAX_CLIENTS, what="every stream adopted")
        over = EventStream(preview.url)
        assert over.status == 503
        over.close()
        idle = [socket.create_connection(preview.server.server_address[:2]) for _ in range(40)]
        # No thread per client (104 of them here); a build's waiter or the model warm-up may come and go meanwhile.
        assert threading.active_count() <= threads_before + 2, "no thread per client"
        for sock in idle:
            sock.close()
        assert poll(lambda: request(preview.url, "/").status == 200, what="a normal request")
    finally:
        for stream in streams:
            stream.close()


# ---------------------------------------------------------------- watching


@pytest.mark.parametrize(
    ("name", "junk"),
    [
        (".#older.md", True),
        ("#older.md#", True),
        ("older.md~", True),
        (".older.md.swp", True),
        ("older.md.swx", True),
        ("4913", True),
        ("5036", True),
        (".hidden.md", True),
        ("older.md___jb_tmp___", True),
        ("draft.md.tmp", True),
        ("older.md", False),
        ("2025-08-06-summit.txt", False),
        ("4913.md", False),
        ("base.html", False),
    ],
)
def test_editor_junk(name: str, junk: bool) -> None:
    assert is_editor_junk(name) is junk


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("content/older.md", True),
        ("content/news/deep/a.txt", True),
        ("content", True),
        ("templates/base.html", True),
        ("briefgen.yml", True),
        ("actors.yml", True),
        ("site/index.html", False),
        ("site", False),
        (".briefgen/cache.sqlite", False),
        (".site.tmp-123/index.html", False),
        ("README.md", False),
        ("content/.git/index", False),
        ("content/.older.md.swp", False),
        ("content/older.md~", False),
        ("templates/4913", False),
    ],
)
def test_watch_plan_sources(site: Path, relative: str, source: bool) -> None:
    plan = plan_watch(site)
    assert plan.is_source(str(site / relative)) is source


def test_builder_debounces_bursts_and_coalesces_during_a_build() -> None:
    release = threading.Event()
    started: list[float] = []
    done: list[Rebuild] = []

    def slow_build() -> BuildResult:
        started.append(time.monotonic())
        if len(started) == 1:
            release.wait(TIMEOUT)
        return BuildResult(published=True)

    builder = Builder(slow_build, done.append, debounce=0.05)
    builder.start()
    for name in ("a.md", "a.md~", "a.md"):
        builder.request(name)  # one save, as an editor writes it
    poll(lambda: started, what="the first build")
    for index in range(5):
        builder.request(f"b{index}.md")  # saves while the first build runs
    release.set()
    poll(lambda: len(done) == 2, what="one coalesced build")
    time.sleep(0.3)
    builder.stop(timeout=5)
    assert len(started) == 2
    assert done[0].changed == ("a.md", "a.md~") and done[1].changed == tuple(f"b{i}.md" for i in range(5))


def test_build_watch_rebuilds_keeps_going_and_exits_cleanly_on_ctrl_c(site: Path, nlp: object) -> None:
    build_site(site, jobs=1)  # fill the extraction cache, so the child needs no extraction
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "build", str(site), "--watch", "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []

    def read() -> None:
        assert child.stdout is not None
        lines.extend(child.stdout)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        poll(lambda: any("first build" in line for line in lines), what="the first build line")
        bad = site / "content" / "bad.md"
        bad.write_text(BROKEN, encoding="utf-8")
        poll(lambda: any("bad.md:" in line and "error" in line for line in lines), what="the error")
        bad.write_text(OLDER.replace("Older news", "Recovered").replace("went well", "broke down"), encoding="utf-8")
        # the one article it extracted, and the files that changed: the rest of the site stood
        recovered = "bad.md changed → built: 3 articles (1 extracted), "
        poll(lambda: any(recovered in line for line in lines), what="the recovery")
        child.send_signal(signal.SIGINT)
        assert child.wait(TIMEOUT) == 0
    finally:
        if child.poll() is None:
            child.kill()
    reader.join(5)
    assert "briefgen: stopped watching\n" in lines and not any("Traceback" in line for line in lines), lines


# ---------------------------------------------------------------- which pages reload


def test_fingerprints_report_pages_whose_bytes_changed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    files = {"index.html": b"<p>home</p>", "a/index.html": b"<p>a</p>", "static/style.css": b"p{}", "feed.xml": b"<x/>"}
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    first = fingerprint_folder(out, {})
    assert set(first) == {"index.html", "a/index.html", "static/style.css"}  # feed.xml reloads no page

    def rewrite(name: str, data: bytes) -> None:
        (out / "new.tmp").write_bytes(data)
        (out / "new.tmp").replace(out / name)  # a new inode, as publishing writes changed files

    (out / "feed.xml").write_bytes(b"<y/>")
    rewrite("index.html", b"<p>home, edited</p>")
    second = fingerprint_folder(out, first)
    assert changed_paths(first, second) == {"index.html"}
    rewrite("index.html", b"<p>home, edited</p>")  # the same bytes again: not a change
    third = fingerprint_folder(out, second)
    assert changed_paths(second, third) == set()
    (out / "static" / "style.css").unlink()
    assert changed_paths(third, fingerprint_folder(out, third)) == {"static/style.css"}


def test_changes_reported_by_the_build_are_used_as_they_are(tmp_path: Path) -> None:
    state = SiteState(tmp_path / "site", EventHub("t"))
    try:
        state.record(Rebuild(1, (), BuildResult(published=True)), tmp_path / "site")
        stats = SimpleNamespace(changed=("briefings/a/index.html", "briefings/a/briefing.md"))
        change = state.record(Rebuild(2, ("content/a.md",), BuildResult(published=True, stats=stats)), state.output)
        assert change.paths == {"briefings/a/index.html"} and not change.everything
        failed = state.record(Rebuild(3, ("content/a.md",), None, "Traceback"), state.output)
        assert failed.everything and not failed.paths and not failed.ok  # every page shows the error page
        assert state.record(Rebuild(4, (), BuildResult(published=True, stats=stats)), state.output).everything
    finally:
        state.hub.close()


def test_reaper_frees_a_finished_builds_objects_in_the_background() -> None:
    class Item:
        pass

    items = [Item() for _ in range(1000)]
    refs = [weakref.ref(item) for item in items]
    Reaper().drop(items)
    del items
    poll(lambda: all(ref() is None for ref in refs), what="every item freed")


# ---------------------------------------------------------------- the preview, then the full build


@pytest.fixture
def recorded(site: Path, nlp: object) -> Iterator[tuple[Preview, list[Rebuild]]]:
    """A preview (full builds in child processes, as ``briefgen serve`` runs) that records every rebuild."""
    rebuilds: list[Rebuild] = []
    running = start_preview(site, port=0, jobs=1, on_rebuild=rebuilds.append)
    yield running, rebuilds
    running.close(wait=10)


def settled(rebuilds: list[Rebuild], after: int) -> list[Rebuild]:
    """The rebuilds since ``after``, once a full one has been reported."""
    return poll(lambda: (new := rebuilds[after:]) and not new[-1].preview and new, what="the full build after the save")


def test_save_is_previewed_then_fully_built_and_the_site_equals_a_clean_build(
    recorded: tuple[Preview, list[Rebuild]], site: Path, tmp_path: Path
) -> None:
    preview, rebuilds = recorded
    before = len(rebuilds)
    append(site / "content" / "older.md", "Officials said the talks would resume on Friday.\n")
    first, *rest = settled(rebuilds, before)
    assert first.preview and first.changed == ("content/older.md",) and not first.failed
    assert first.result is not None and first.result.stats is not None
    assert set(first.result.stats.changed) == {"briefings/older/index.html", "briefings/older/briefing.md"}
    assert [r.preview for r in rest] == [False]
    assert "briefings/older/index.html" not in rest[0].result.stats.changed  # type: ignore[union-attr]  # same bytes
    assert "talks would resume on Friday" in get_text(preview.url, "/briefings/older/")[1]
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")


def test_preview_corrected_by_the_full_build_when_actors_merge_differently(
    recorded: tuple[Preview, list[Rebuild]], site: Path, tmp_path: Path
) -> None:
    """The preview links a new mention by its own id; the full build merges it site-wide and fixes the page."""
    _, rebuilds = recorded
    before = len(rebuilds)
    append(site / "content" / "2025-08-11-harbour.md", "Steve Witkoff said the strike was a local matter.\n")
    settled(rebuilds, before)
    before = len(rebuilds)
    append(site / "content" / "older.md", "Witkoff said the talks went well.\n")  # merged with Steve Witkoff
    first, *rest = settled(rebuilds, before)
    assert first.preview
    assert "briefings/older/index.html" in rest[-1].result.stats.changed  # type: ignore[union-attr]  # corrected
    page = get_text(recorded[0].url, "/briefings/older/")[1]
    assert "actors/steve-witkoff/index.html" in page and "actors/witkoff/" not in page
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")


def test_a_save_during_the_full_build_is_previewed_at_once(
    recorded: tuple[Preview, list[Rebuild]], site: Path, tmp_path: Path
) -> None:
    """A save that comes while the server's full build runs is previewed at once, not after that build. The site's
    lock, held here, keeps that build running (waiting for the lock) until the save is previewed: a build of this
    small site is otherwise over before a second save can come, and the test raced it."""
    preview, rebuilds = recorded
    builder = preview.watch.builder
    with site_lock(site):  # once the server's first build is over
        before = len(rebuilds)
        # Not previewed (the lock is another's, and no build of the server's runs): the full build starts, and waits.
        append(site / "content" / "older.md", "Officials said the talks would resume on Friday.\n")
        poll(lambda: builder._child is not None, what="the full build")
        append(site / "content" / "older.md", "A second save came at once.\n")
        poll(lambda: any(r.preview for r in rebuilds[before:]), what="the preview")
        assert all(r.preview for r in rebuilds[before:]), "previewed before the running build ended"
        shown = rebuilds[before].result
        assert shown is not None and shown.stats is not None and "briefings/older/index.html" in shown.stats.changed
        assert "A second save came at once" in get_text(preview.url, "/briefings/older/")[1]
    # The running build publishes, the second save is previewed again over what it published, one more build follows.
    poll(lambda: sum(not r.preview for r in rebuilds[before:]) >= 2 and not rebuilds[-1].preview, what="both builds")
    assert "A second save came at once" in get_text(preview.url, "/briefings/older/")[1]
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")


def test_new_article_and_template_changes_go_straight_to_the_full_build(
    recorded: tuple[Preview, list[Rebuild]], site: Path
) -> None:
    preview, rebuilds = recorded
    before = len(rebuilds)
    (site / "content" / "2025-08-12-new.md").write_text(HARBOUR.replace("Harbour strike", "New one"), "utf-8")
    # Full builds only, no preview. (Under heavy load a new file's create and modify events can fall into two
    # debounce windows: then two full builds, the second finding nothing to do.)
    assert not any(r.preview for r in settled(rebuilds, before))
    assert get_text(preview.url, "/briefings/new/")[0] == 200
    before = len(rebuilds)
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "404.html").write_text("<!doctype html><title>gone</title><p>Nothing here.\n", "utf-8")
    assert not any(r.preview for r in settled(rebuilds, before))


def test_a_storm_of_moves_and_saves_ends_in_the_site_a_clean_build_makes(
    recorded: tuple[Preview, list[Rebuild]], site: Path, tmp_path: Path
) -> None:
    """What a ``git checkout`` or a sync client does to a content folder: files and folders created, moved in from
    outside, renamed, deleted and saved again through temporaries, in quick succession, while builds run. Once quiet,
    the served site is the one a clean build of the final sources makes, and the last build reported no problem."""
    preview, rebuilds = recorded
    content = site / "content"
    before = len(rebuilds)

    def save(path: Path, text: str) -> None:  # as editors save: a temporary, then a rename over the file
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)

    outside = tmp_path / "wire"
    outside.mkdir()
    (outside / "2025-08-20-wire.md").write_text(HARBOUR.replace("Harbour strike", "Wire copy"), "utf-8")
    for n in range(4):
        save(content / f"2025-08-1{n + 2}-new-{n}.md", HARBOUR.replace("Harbour strike", f"New story {n}"))
        time.sleep(0.01)
    (content / "2025-08-11-harbour.md").rename(content / "2025-08-11-strike.md")
    (content / "desk").mkdir()
    for n in (0, 1):
        (content / f"2025-08-1{n + 2}-new-{n}.md").rename(content / "desk" / f"2025-08-1{n + 2}-new-{n}.md")
    outside.rename(content / "wire")
    (content / "older.md").unlink()
    time.sleep(0.05)
    save(content / "desk" / "2025-08-12-new-0.md", HARBOUR.replace("Harbour strike", "Saved again"))
    (content / "wire").rename(content / "agency")
    (content / "2025-08-15-new-3.md").unlink()
    save(content / "desk" / "2025-08-12-new-0.md", OLDER.replace("Older news", "Saved a third time"))

    wanted = clean_build_of(site, tmp_path / "clean")
    poll(lambda: tree_bytes(site / "site") == wanted, timeout=90, what="the site a clean build makes")
    last = poll(lambda: (new := rebuilds[before:]) and not new[-1].preview and new[-1], what="the last full build")
    assert not last.failed and last.result is not None and not last.result.problems
    assert "Saved a third time" in get_text(preview.url, "/briefings/new-0/")[1]
    assert get_text(preview.url, "/briefings/wire/")[0] == 200
    assert get_text(preview.url, "/briefings/older/")[0] == get_text(preview.url, "/briefings/new-3/")[0] == 404


class FakeChild:
    """Stands for a ChildBuild: finishes when released, or raises BuildCancelled when stopped."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.cancelled = False

    def result(self) -> BuildResult:
        self.released.wait(TIMEOUT)
        if self.cancelled:
            raise BuildCancelled
        return BuildResult(published=True)

    def cancel(self) -> None:
        self.cancelled = True
        self.released.set()


def test_a_save_during_a_full_build_is_previewed_and_built_next() -> None:
    """The running build finishes (saves must not starve it); the saves it missed are previewed again, then built."""
    children: list[FakeChild] = []
    done: list[Rebuild] = []
    previews: list[tuple[str, ...]] = []
    building_flags: list[bool] = []

    def spawn() -> FakeChild:
        children.append(FakeChild())
        return children[-1]

    def preview(batch: tuple[str, ...], building: bool) -> BuildResult:
        previews.append(batch)
        building_flags.append(building)
        return BuildResult(published=True)

    builder = Builder(lambda: BuildResult(), done.append, debounce=0.02, spawn=spawn, preview=preview)  # type: ignore[arg-type]
    builder.start()
    builder.request()
    poll(lambda: children, what="the first build")
    children[0].released.set()
    poll(lambda: done, what="its report")
    builder.request("a.md")
    poll(lambda: len(children) == 2, what="the build for a.md")
    builder.request("b.md")  # while it runs
    poll(lambda: len(previews) == 2, what="b.md previewed")
    assert not children[1].cancelled and len(children) == 2
    children[1].released.set()
    poll(lambda: len(children) == 3, what="the build for b.md")
    children[2].released.set()
    poll(lambda: len(done) == 6, what="every report")
    builder.stop(timeout=5)
    assert previews == [("a.md",), ("b.md",), ("b.md",)]  # b.md again: the a.md build published its older page
    assert building_flags == [False, True, False]  # b.md was previewed while the a.md build held the lock
    assert [(r.preview, r.changed) for r in done] == [
        (False, ()),
        (True, ("a.md",)),
        (True, ("b.md",)),
        (False, ("a.md",)),  # reported after b.md's page was previewed again, so it reloads fresh
        (True, ("b.md",)),
        (False, ("b.md",)),
    ]
    assert [r.number for r in done] == list(range(1, 7))


def test_one_build_process_runs_the_builds_and_a_cancelled_one_is_replaced(
    site: Path, nlp: object, tmp_path: Path
) -> None:
    """Full builds run one after another in one child process (which keeps what they read and decoded); cancelling
    a build ends the process and its workers, and the next build starts another; closing its input ends it."""
    builds = BuildProcess({"root": site, "jobs": 1, "release_model": True})
    try:
        assert builds.start().result().published
        first = builds.pid
        append(site / "content" / "older.md", "Officials said the talks would resume on Friday.\n")
        result = builds.start().result()
        assert result.published and result.stats is not None
        assert "briefings/older/index.html" in result.stats.changed
        assert builds.pid == first
        assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")
        append(site / "content" / "older.md", "Officials said the talks ended on Saturday.\n")  # a build with work
        running = builds.start()
        running.cancel()
        with pytest.raises(BuildCancelled):
            running.result()
        assert builds.start().result().published
        last = builds.pid
        assert last is not None and last != first
    finally:
        builds.close()
    assert builds.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(last, 0)  # ended, and reaped


def test_template_save_renders_the_open_briefing_first(
    recorded: tuple[Preview, list[Rebuild]], site: Path, tmp_path: Path
) -> None:
    preview, rebuilds = recorded
    stream = EventStream(preview.url, "?path=briefings/older/index.html")  # the author has this page open
    try:
        poll(lambda: "briefings/older/index.html" in preview.state.hub.open_pages(), what="the open page known")
        packaged = (REPO / "briefgen" / "templates" / "briefing.html").read_text(encoding="utf-8")
        (site / "templates").mkdir(exist_ok=True)
        before = len(rebuilds)
        template = site / "templates" / "briefing.html"
        template.write_text(packaged.replace("<article class", "<p>Edited template</p>\n<article class"), "utf-8")
        first, *rest = settled(rebuilds, before)
        assert first.preview and first.result is not None and first.result.stats is not None
        assert first.result.stats.changed == ("briefings/older/index.html",)  # the open page; the rest follow
        assert rest and "briefings/harbour/index.html" in rest[-1].result.stats.changed  # type: ignore[union-attr]
        assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")
        before = len(rebuilds)
        template.write_text(packaged.replace("{% block main %}", "{% block main %}{{ broken( }}"), "utf-8")
        html = wait_for_error_page(preview.url)
        assert "templates/briefing.html:4" in html
        assert rebuilds[before].preview and rebuilds[before].failed  # the preview showed it, before the full build
        template.unlink()
        poll(lambda: get_text(preview.url, "/briefings/older/")[0] == 200, what="the page back")
    finally:
        stream.close()


def test_preview_uses_the_links_it_read_while_its_own_build_renders(site: Path, nlp: object) -> None:
    """A build removes links.json while it renders; only the server's own build may be trusted to do so."""
    from briefgen.preview import QuickPreview

    build_site(site, jobs=1)
    quick = QuickPreview(site)
    quick.warm()
    (site / ".briefgen" / "links.json").unlink()  # as the running build does
    append(site / "content" / "older.md", "Officials met again on Friday.\n")
    assert quick(["content/older.md"], building=False) is None  # somebody else's build: stay out
    result = quick(["content/older.md"], building=True)
    assert result is not None and result.published
    assert "Officials met again" in (site / "site" / "briefings" / "older" / "index.html").read_text("utf-8")
