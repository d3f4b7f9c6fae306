"""Save-to-reload latency of ``briefgen serve``, against a full build of the same site, in one run.

For each size: generate a deterministic site (benchmarks/corpus.py: ~450-word Markdown articles recombined from the
seed's sentences), fill the extraction cache with one untimed build, time a full build with that warm cache into an
empty output folder (the baseline), then start ``briefgen serve`` on a free port, and 20 times append a sentence to
one article and measure from the save to the moment the page, fetched over HTTP after the reload event (an SSE
client), shows the sentence. The server previews the saved article's own page first and then runs the full
incremental build in a child process; the first --full-waits edits also wait for that full build, and its time from
the save is the "whole site published" column (later edits come while it runs, as an author's saves do). Finally
it profiles one full rebuild in-process, to show where the time goes.

    .venv/bin/python benchmarks/serve_latency.py [--sizes 1000 10000] [--edits 20] [--work DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import http.client
import importlib
import json
import math
import os
import pstats
import queue
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from corpus import generate_site  # noqa: E402

GOALS = {1000: 0.300, 10000: 0.500}  # seconds, save to reloaded page
RATIO_GOAL = 20.0
EDITED = 7  # index of the article the edits go to
MIN_EDITS = 3  # measured even past the time budget
BRIEFGEN = [sys.executable, "-m", "briefgen"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Edit:
    latency: float  # save → page served with the edit
    build: float  # the server's time for its first rebuild (the preview), from its rebuild line
    complete: float  # save → the full build that follows has published the whole site
    event: float  # save → the reload event naming the page
    events: int  # reload events seen before the page showed the edit

    @property
    def overhead(self) -> float:
        """Everything but build_site: debounce, watching, fingerprinting, the event, the page's GET."""
        return self.latency - self.build


@dataclass(frozen=True, slots=True)
class SizeResult:
    size: int
    fill: float
    full: float
    edits: tuple[Edit, ...]
    profile: str


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


# ---------------------------------------------------------------- the site


def prepare_site(work: Path, size: int, cache_from: Path | None) -> Path:
    """A fresh copy of the generated site; the extraction cache survives between runs."""
    site = work / f"n{size}"
    cache = site / ".briefgen"
    kept = work / f".cache-n{size}"
    if cache.is_dir():
        shutil.rmtree(kept, ignore_errors=True)
        cache.rename(kept)
    shutil.rmtree(site, ignore_errors=True)
    generate_site(site, size)
    if kept.is_dir():
        kept.rename(cache)
    if cache_from is not None:
        merge_cache(cache_from, cache / "cache.sqlite")
    return site


def merge_cache(source: Path, target: Path) -> None:
    """Copy extraction rows from another site's cache (same articles and extractors: same keys)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        shutil.copyfile(source, target)
        return
    db = sqlite3.connect(target)
    db.execute("ATTACH DATABASE ? AS other", (f"file:{source}?mode=ro",))
    columns = "key, data, checksum"  # the columns of every version of briefgen's cache (it adds stamps to them)
    db.execute(f"INSERT OR IGNORE INTO extractions ({columns}) SELECT {columns} FROM other.extractions")
    db.commit()
    db.close()


def edited_article(site: Path) -> Path:
    return sorted((site / "content").glob(f"*-story-{EDITED:05d}.md"))[0]


def page_of(article: Path) -> str:
    """The output path of an article's page: its slug is the file name without the date prefix."""
    slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", article.stem)
    return f"briefings/{slug}/index.html"


def timed_build(site: Path, jobs: int) -> float:
    command = [*BRIEFGEN, "build", str(site), "--quiet"] + (["--jobs", str(jobs)] if jobs else [])
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stdout}{done.stderr}")
    return seconds


# ---------------------------------------------------------------- the server and its events


class Server:
    """``briefgen serve`` in a child process, its output lines collected."""

    def __init__(self, site: Path, jobs: int) -> None:
        command = [*BRIEFGEN, "serve", str(site), "--port", "0"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def _wait_for_url(self) -> str:
        while True:
            line = self.lines.get(timeout=3600)
            if match := re.search(r"at (http://[\d.]+:\d+/)", line):
                return match.group(1)

    def build_seconds(self, timeout: float) -> float:
        """The build time of the next rebuild line the server prints."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if "changed →" in line and (match := re.search(r"in ([\d.]+) s", line)):
                return float(match.group(1))

    def full_build(self, timeout: float) -> float:
        """When the next full build's line arrived (perf_counter); not the preview's."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if "changed →" in line and "preview" not in line:
                return time.perf_counter()

    def drain(self) -> None:
        while not self.lines.empty():
            self.lines.get_nowait()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Events:
    """An SSE client on /__briefgen__/events: each reload event's data, with the time it arrived."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)))
        self.sock.sendall(f"GET /__briefgen__/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        self.received: queue.Queue[tuple[float, dict[str, object]]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.sock.makefile("rb"):
            if line.startswith(b"data: "):
                self.received.put((time.perf_counter(), json.loads(line[6:])))

    def next(self, timeout: float) -> tuple[float, dict[str, object]]:
        return self.received.get(timeout=timeout)

    def drain(self) -> None:
        while not self.received.empty():
            self.received.get_nowait()

    def close(self) -> None:
        self.sock.close()


def fetch(url: str, path: str) -> str:
    host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("GET", "/" + path.removesuffix("index.html"))
        return connection.getresponse().read().decode("utf-8")
    finally:
        connection.close()


def measure_edit(
    server: Server, events: Events, article: Path, page: str, marker: str, timeout: float, wait_full: bool = True
) -> Edit:
    """Append a sentence holding ``marker`` and wait until the page served over HTTP shows it."""
    events.drain()
    server.drain()
    started = time.perf_counter()
    with open(article, "a", encoding="utf-8") as handle:
        handle.write(f"\nOfficials in Gdansk confirmed the {marker} figures on Tuesday.\n")
    seen = 0
    while True:
        arrived, change = events.next(timeout)
        seen += 1
        changed = change.get("changed") or []
        if (change.get("all") or page in changed) and marker in fetch(server.url, page):
            latency = time.perf_counter() - started
            build = server.build_seconds(timeout)
            complete = server.full_build(timeout) - started if wait_full else math.nan
            return Edit(latency, build, complete, arrived - started, seen)


def run_edits(site: Path, edits: int, jobs: int, budget: float, full_waits: int) -> tuple[Edit, ...]:
    article = edited_article(site)
    page = page_of(article)
    run = f"{int(time.time()) % 100000:05d}"  # new text every run: the edited article is really extracted
    server = Server(site, jobs)
    events = Events(server.url)
    try:
        time.sleep(0.5)  # the event stream is open
        log("  warm-up edit (untimed): the server loads the language model after its first build")
        measure_edit(server, events, article, page, f"note{run}w", 3600)
        results: list[Edit] = []
        started = time.monotonic()
        for index in range(edits):
            if len(results) >= MIN_EDITS and time.monotonic() - started > budget:
                log(f"  stopping after {len(results)} edits: the --budget of {budget:.0f} s is spent")
                break
            marker = f"note{run}x{index:02d}"
            results.append(measure_edit(server, events, article, page, marker, 3600, index < full_waits))
            edit = results[-1]
            log(
                f"  edit {index + 1:2d}: {edit.latency * 1000:7.0f} ms (build_site {edit.build * 1000:.0f} ms, "
                f"event at {edit.event * 1000:.0f} ms, everything else {edit.overhead * 1000:.0f} ms"
                + (f"; whole site published after {edit.complete:.2f} s" if not math.isnan(edit.complete) else "")
                + ")"
            )
        return tuple(results)
    finally:
        events.close()
        server.stop()


# ---------------------------------------------------------------- where the time goes


# (module, function, label): build stages timed by wrapping them, without a profiler's distortion. Names the build
# no longer has are skipped. Nested stages are indented.
STAGES = [
    ("briefgen.build", "input_fingerprint", "fingerprint the inputs"),
    ("briefgen.build", "read_all", "read every article"),
    ("briefgen.pipeline", "extract_articles", "extraction: cache lookups + the edited article"),
    ("briefgen.build", "render_site_files", "render (incremental), written to the staging folder"),
    ("briefgen.render", "index_actors", "  index actors"),
    ("briefgen.render", "relink", "  relink every briefing"),
    ("briefgen.render", "site_pages", "  list pages (contexts)"),
    ("briefgen.render", "render_page", "  Jinja pages rendered"),
    ("briefgen.render", "atom_feed", "  feed"),
    ("briefgen.render", "briefings_json", "  briefings.json"),
    ("briefgen.site.search", "index_shard", "search index shards (Pagefind, in the background beside the render)"),
    ("briefgen.build", "scan_output", "scan the output for the build state"),
    ("briefgen.build", "save_state", "save the build state"),
    ("briefgen.livereload", "fingerprint_folder", "serve: fingerprint pages for live reload"),
]


def _timed(function: Callable[..., object], totals: dict[str, list[float]], key: str) -> Callable[..., object]:
    @functools.wraps(function)
    def wrapper(*args: object, **kwargs: object) -> object:
        entry = totals.setdefault(key, [0.0, 0])
        entry[1] += 1
        started = time.perf_counter()
        try:
            result = function(*args, **kwargs)
        finally:
            entry[0] += time.perf_counter() - started
        if isinstance(result, Generator):  # a generator stage: its own time, step by step; it can still be closed
            return _timed_steps(result, entry)
        return result

    return wrapper


def _timed_steps(steps: Generator[object, None, None], entry: list[float]) -> Generator[object, None, None]:
    try:
        while True:
            started = time.perf_counter()
            try:
                item = next(steps)
            except StopIteration:
                return
            finally:
                entry[0] += time.perf_counter() - started
            yield item
    finally:
        steps.close()


@contextlib.contextmanager
def stage_timers(totals: dict[str, list[float]]) -> Iterator[None]:
    patched = []
    for module_name, name, _ in STAGES:
        module = importlib.import_module(module_name)
        if callable(original := getattr(module, name, None)):
            setattr(module, name, _timed(original, totals, f"{module_name}.{name}"))
            patched.append((module, name, original))
    try:
        yield
    finally:
        for module, name, original in patched:
            setattr(module, name, original)


def build_site_seconds(site: Path) -> float:
    from briefgen.build import build_site

    started = time.perf_counter()
    build_site(site, jobs=1)
    return time.perf_counter() - started


def one_rebuild(site: Path, note: str) -> tuple[float, Path]:
    from briefgen.build import build_site

    article = edited_article(site)
    with open(article, "a", encoding="utf-8") as handle:
        handle.write(f"\nOfficials in Gdansk confirmed the {note} figures on Tuesday.\n")
    started = time.perf_counter()
    build_site(site, jobs=1)
    return time.perf_counter() - started, article


def stage_rows(totals: dict[str, list[float]], total: float) -> list[str]:
    """A Markdown table of the timed stages; each parent stage's untimed remainder gets a row of its own."""
    rows = ["| stage | seconds | calls | share of build_site |", "|---|---:|---:|---:|"]
    timed = [(name, label, *totals[key]) for module, name, label in STAGES if (key := f"{module}.{name}") in totals]
    outer = 0.0
    for index, (name, label, seconds, calls) in enumerate(timed):
        rows.append(f"| {label} (`{name}`) | {seconds:.2f} | {int(calls)} | {seconds / total:.0%} |")
        if label.startswith(" "):
            continue
        outer += seconds if name != "fingerprint_folder" else 0.0
        inner = 0.0
        for _, child_label, child_seconds, _ in timed[index + 1 :]:
            if not child_label.startswith(" "):
                break
            inner += child_seconds
        if inner:
            rest = seconds - inner
            rows.append(f"|   rest of `{name}` (page digests, static files, …) | {rest:.2f} | | {rest / total:.0%} |")
    rest = total - outer
    rows.append(f"| rest of build_site (config, registry, lock, …) | {rest:.2f} | | {rest / total:.0%} |")
    return rows


def profile_rebuild(site: Path) -> str:
    """Where one rebuild after a one-article edit spends its time: stage timers, then cProfile's top functions."""
    from briefgen.livereload import fingerprint_folder
    from briefgen.nlp import load_nlp

    load_nlp()  # as in the server, the model is loaded already
    # Settle first: briefgen's code is part of every page's input digest, so if any of it changed since the
    # server's builds (other engineers' commits), this first in-process build re-renders everything.
    settle = build_site_seconds(site)
    log(f"  in-process settling build (not an edit): {settle:.2f} s")
    before = fingerprint_folder(site / "site", {})
    totals: dict[str, list[float]] = {}
    with stage_timers(totals):
        total, _ = one_rebuild(site, f"timed{time.time():.0f}")
        fingerprint_folder(site / "site", before)
    lines = stage_rows(totals, total)
    lines.append(f"| **build_site, one-article edit** | {total:.2f} | 1 | 100% |")
    profiler = cProfile.Profile()
    profiler.enable()
    one_rebuild(site, f"profiled{time.time():.0f}")
    profiler.disable()
    top = _top_functions(pstats.Stats(profiler))
    return "\n".join(lines) + "\n\nTop functions by own time (a second edit, under cProfile):\n\n" + top


def _top_functions(stats: pstats.Stats) -> str:
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:12]  # type: ignore[attr-defined]
    lines = ["| function | own s | calls |", "|---|---:|---:|"]
    for (filename, line, function), (_, calls, own, _, _) in rows:
        where = f"{Path(filename).name}:{line}" if line else filename
        lines.append(f"| `{function}` ({where}) | {own:.2f} | {calls} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- the report


def run_size(args: argparse.Namespace, size: int) -> SizeResult:
    work, jobs = args.work, args.jobs
    log(f"[{size}] generating the site")
    site = prepare_site(work, size, args.cache_from)
    log(f"[{size}] filling the extraction cache (untimed build; cold extraction of {size} articles can take long)")
    fill = timed_build(site, jobs)
    log(f"[{size}] fill build: {fill:.1f} s; timing a full build with the warm cache into an empty output folder")
    shutil.rmtree(site / "site")
    full = timed_build(site, jobs)
    log(f"[{size}] full build: {full:.2f} s; starting briefgen serve")
    results = run_edits(site, args.edits, jobs, args.budget, args.full_waits)
    report = profile_rebuild(site) if size <= args.profile_up_to else ""
    return SizeResult(size, fill, full, results, report)


def table(results: Sequence[SizeResult]) -> str:
    lines = [
        "| articles | edits | full build (warm cache) | save → reload median | p90 | min | max "
        "| of which the server's rebuild (median) | everything else (median) | full build ÷ median | goal "
        "| save → whole site published (median) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for result in results:
        latencies = [e.latency for e in result.edits]
        median = statistics.median(latencies)
        p90 = percentile(latencies, 0.9)
        build = statistics.median(e.build for e in result.edits)
        other = statistics.median(e.overhead for e in result.edits)
        goal = GOALS.get(result.size)
        verdict = (
            "—" if goal is None else ("met" if median < goal and result.full / median >= RATIO_GOAL else "NOT met")
        )
        lines.append(
            f"| {result.size:,} | {len(latencies)} | {result.full:.2f} s | {median * 1000:.0f} ms "
            f"| {p90 * 1000:.0f} ms | {min(latencies) * 1000:.0f} ms | {max(latencies) * 1000:.0f} ms "
            f"| {build * 1000:.0f} ms | {other * 1000:.0f} ms "
            f"| {result.full / median:.1f}x | {verdict}"
            + (f" (< {goal * 1000:.0f} ms, >= {RATIO_GOAL:.0f}x)" if goal else "")
            + f" | {_complete(result.edits)} |"
        )
    return "\n".join(lines)


def _complete(edits: Sequence[Edit]) -> str:
    waited = [e.complete for e in edits if not math.isnan(e.complete)]
    return f"{statistics.median(waited):.2f} s (of {len(waited)})" if waited else "—"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=0, help="extraction processes for the builds (0: all cores)")
    parser.add_argument("--work", type=Path, default=HERE / "out" / "serve_latency", help="where the sites live")
    parser.add_argument("--cache-from", type=Path, help="an extraction cache.sqlite of the same articles to start from")
    parser.add_argument("--budget", type=float, default=1800, help="seconds of edits per size (at least 3 edits)")
    parser.add_argument(
        "--full-waits", type=int, default=20, help="edits that wait for the full build (later saves come while it runs)"
    )
    parser.add_argument("--profile-up-to", type=int, default=10000, help="profile one rebuild at sizes up to this")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        results.append(run_size(args, size))
    edits = ", ".join(f"{len(r.edits)} at {r.size:,}" for r in results)
    print(f"## briefgen serve: save → reloaded page (edits of one article: {edits}; cores: {os.cpu_count()})\n")
    print(table(results))
    for result in results:
        print(f"\nCache-filling build at {result.size:,}: {result.fill:.1f} s (untimed in the table).")
    for result in results:
        if result.profile:
            print(f"\n### Where one rebuild's time goes at {result.size:,} articles (in-process, jobs=1)\n")
            print(result.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
