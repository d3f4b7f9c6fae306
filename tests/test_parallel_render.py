"""Briefings rendered in forked worker processes (``briefgen.parallel``): the same site, the same errors."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import NoReturn

import jinja2
import pytest

import briefgen.digest
import briefgen.render
import briefgen.write
from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.parallel import ForkPool, WorkerDied, can_fork
from briefgen.render import PACKAGE_TEMPLATES
from briefgen.state import load_state
from tests.helpers import (
    SEED,
    article,
    clean_build_elsewhere,
    clean_build_of,
    full_disk_at,
    leftovers,
    make_site,
    not_resident,
    tree_bytes,
)

ARTICLES = 12


@pytest.fixture(autouse=True)
def few_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render in workers from a few briefings on, a few per task, so that small sites take the parallel path."""
    monkeypatch.setattr(briefgen.render, "PARALLEL_FROM", 3)
    monkeypatch.setattr(briefgen.render, "CHUNK", 2)
    monkeypatch.setattr(briefgen.render, "WINDOW", 2)
    # Earlier tests of the session may leave daemon threads behind (servers, watchers); these builds fork anyway.
    monkeypatch.setattr(briefgen.render, "can_fork", lambda: "fork" in multiprocessing.get_all_start_methods())


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of workers of each pool the builds fork."""
    made: list[int] = []

    class Counted(ForkPool):  # type: ignore[type-arg]
        def __init__(self, work: object, jobs: int, *, nesting: bool = False) -> None:
            made.append(jobs)
            super().__init__(work, jobs, nesting=nesting)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.render, "ForkPool", Counted)
    return made


@pytest.fixture
def no_hang() -> Iterator[None]:
    """A build that waits forever for a worker fails the test instead."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the build hung")

    before = signal.signal(signal.SIGALRM, expired)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, before)


def story(day: int, extra: str = "") -> tuple[str, str]:
    text = SEED.read_text(encoding="utf-8")
    # Each briefing its own source text: the first paragraph names the day, so no two bodies are the same.
    return f"content/2025-08-{day:02d}-story-{day}.txt", f"Story {day} of August.\n\n{text}{extra}"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of ``ARTICLES`` articles, built once (jobs=1) so that its extraction cache is warm."""
    root = make_site(tmp_path_factory.mktemp("parallel") / "site", dict(story(day) for day in range(1, ARTICLES + 1)))
    assert build_site(root, jobs=1).published
    return root


def fresh_copy(extracted: Path, where: Path) -> Path:
    """The site's sources and extraction cache, without its output: the next build is clean."""
    shutil.copytree(extracted / "content", where / "content")
    shutil.copy(extracted / "briefgen.yml", where / "briefgen.yml")
    (where / ".briefgen").mkdir()
    shutil.copy(extracted / ".briefgen" / "cache.sqlite", where / ".briefgen" / "cache.sqlite")
    return where


def test_jobs_give_byte_identical_sites(extracted: Path, tmp_path: Path, forks: list[int], no_hang: None) -> None:
    one, two = fresh_copy(extracted, tmp_path / "one"), fresh_copy(extracted, tmp_path / "two")
    assert build_site(one, jobs=1).published
    assert forks == []  # one job: in-process
    result = build_site(two, jobs=2)
    assert result.published and not result.errors
    assert forks == [2]
    assert tree_bytes(one / "site") == tree_bytes(two / "site")


def test_workers_digest_the_new_actor_pages_as_the_build_would(
    extracted: Path, tmp_path: Path, forks: list[int], no_hang: None
) -> None:
    """A clean build leaves the digests of actor pages to the workers that render them (``settle_or_defer``): the
    state saved is the one a one-job build saves, so the next build keeps the same pages."""
    one, two = fresh_copy(extracted, tmp_path / "one"), fresh_copy(extracted, tmp_path / "two")
    assert build_site(one, jobs=1).published and build_site(two, jobs=2).published
    assert forks == [2]
    digests = [{path: f.digest for path, f in load_state(load_config(root)[0]).files.items()} for root in (one, two)]
    assert digests[0] == digests[1]
    keyed = [d for path, d in digests[1].items() if path.startswith("actors/") and d and "~" in d]
    assert len(keyed) >= 5
    edited(two)
    assert build_site(two, jobs=2).published
    assert tree_bytes(two / "site") == clean_build_of(two, tmp_path / "clean")


def test_few_briefings_render_in_process(extracted: Path, tmp_path: Path, forks: list[int]) -> None:
    root = fresh_copy(extracted, tmp_path / "s")
    briefgen.render.PARALLEL_FROM = ARTICLES + 1  # type: ignore[misc]
    assert build_site(root, jobs=2).published
    assert forks == []


def test_incremental_builds_with_workers_equal_a_clean_build(
    extracted: Path, tmp_path: Path, forks: list[int], no_hang: None
) -> None:
    root = fresh_copy(extracted, tmp_path / "s")
    assert build_site(root, jobs=2).published
    # An edited article, a new one, a removed one: few to render, in-process.
    path, text = story(3, "\nOfficials later said the talks would resume on Friday.\n")
    (root / path).write_text(text, encoding="utf-8")
    path, text = story(20)
    (root / path).write_text(text, encoding="utf-8")
    (root / story(5)[0]).unlink()
    assert build_site(root, jobs=2).published
    # A template change: every page again, the details JSON kept, in workers.
    retitled(root)
    forks.clear()
    assert build_site(root, jobs=2).published
    assert forks == [1, 2]  # the helper, forked on the chance of an edit and ended unused; the workers
    assert tree_bytes(root / "site") == clean_build_of(root, tmp_path / "clean")


def edited(root: Path) -> None:
    path, text = story(3, "\nOfficials later said the talks would resume on Friday.\n")
    (root / path).write_text(text, encoding="utf-8")


def test_an_edit_has_a_helper_make_the_site_pages_beside_its_briefing(
    extracted: Path, tmp_path: Path, forks: list[int], no_hang: None
) -> None:
    """Few briefings to render: they are rendered here, and one forked helper makes, digests and renders the site
    pages meanwhile; the site is the clean build's."""
    root = fresh_copy(extracted, tmp_path / "s")
    assert build_site(root, jobs=2).published
    forks.clear()
    edited(root)
    result = build_site(root, jobs=2)
    assert result.published and not result.errors
    assert forks == [1]
    assert result.stats is not None and "briefings/story-3/index.html" in result.stats.changed
    assert any(path.startswith("actors/") for path in result.stats.changed)
    assert tree_bytes(root / "site") == clean_build_of(root, tmp_path / "clean")
    # Again, into the spare the first edit left (the helper rewrites what the spare alone holds).
    assert list(root.glob(".site.spare"))
    (root / story(3)[0]).write_text(story(3)[1], encoding="utf-8")
    forks.clear()
    assert build_site(root, jobs=2).published
    assert forks == [1]
    assert tree_bytes(root / "site") == clean_build_of(root, tmp_path / "clean-again")


def test_a_briefing_added_before_the_others_has_the_helper_share_the_pages_it_moves(
    extracted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int], no_hang: None
) -> None:
    """A briefing dated before the others moves every briefing of its actors' lists one place on, onto other pages
    (counted from the oldest): many site pages to make again. The helper shares them with a worker it forks itself;
    the site is the clean build's."""
    monkeypatch.setattr(briefgen.render, "SHARE_FROM", 4)
    monkeypatch.setattr(briefgen.render, "SHARE_CHUNK", 1)
    root = fresh_copy(extracted, tmp_path / "s")
    with (root / "briefgen.yml").open("a", encoding="utf-8") as config:
        config.write("actor_page_size: 2\n")
    assert build_site(root, jobs=2).published
    made_by = tmp_path / "made-by"
    render_page = briefgen.render.render_page

    def logged(env: object, page: briefgen.render.Page, *args: object) -> bytes:
        if page.template == "actor.html":
            with made_by.open("a", encoding="utf-8") as log:
                log.write(f"{os.getpid()}\n")
        return render_page(env, page, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.render, "render_page", logged)
    (root / "content/2025-07-31-story-early.txt").write_text(
        story(1)[1].replace("Story 1 of August.", "A story of July."), "utf-8"
    )
    forks.clear()
    result = build_site(root, jobs=2)
    assert result.published and not result.errors and result.stats is not None
    assert forks == [1]  # the helper (its own worker is forked in it)
    makers = set(made_by.read_text(encoding="utf-8").split())
    assert len(makers) == 2 and str(os.getpid()) not in makers
    moved = [p for p in result.stats.changed if p.startswith("actors/") and "/page/" in p]
    assert len(moved) >= 4
    assert tree_bytes(root / "site") == clean_build_of(root, tmp_path / "clean")


def test_sharing_forks_no_more_workers_than_there_are_runs_to_share(forks: list[int], no_hang: None) -> None:
    """``--jobs 1000`` forked 999 workers to share a few hundred site pages, runs of ``SHARE_CHUNK``; it forks at
    most one per run, and every page is made once, in order."""
    indexes = list(range(briefgen.render.SHARE_FROM))
    done = briefgen.render._shared_work(indexes, lambda i: (i, os.getpid()), 1000)
    assert forks == [-(-len(indexes) // briefgen.render.SHARE_CHUNK)]
    assert [done[i][0] for i in indexes] == indexes
    assert len({pid for _, pid in done.values()}) >= 2  # shared: made here and in workers


def test_a_helper_forked_for_what_is_not_an_edit_is_ended(
    extracted: Path, tmp_path: Path, forks: list[int], no_hang: None
) -> None:
    """With a previous build, the helper starts on the site pages before the plans show whether this is an edit. A
    change to every page is not one: the helper is ended, what it made is dropped (it puts nothing in the new site
    itself), and the workers render the site pages with the briefings."""
    root = fresh_copy(extracted, tmp_path / "s")
    assert build_site(root, jobs=2).published
    overridden(root, "base.html", "</body>", "<!-- every page -->\n</body>")
    forks.clear()
    result = build_site(root, jobs=2)
    assert result.published and not result.errors and result.stats is not None
    assert forks == [1, 2]
    pages = [p for p in tree_bytes(root / "site") if p.endswith(".html")]
    assert sorted(p for p in result.stats.changed if p.endswith(".html")) == sorted(pages)
    assert tree_bytes(root / "site") == clean_build_of(root, tmp_path / "clean")
    assert leftovers(root) == []


def test_a_template_error_in_the_helper_is_reported_and_keeps_the_site(
    extracted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int], no_hang: None
) -> None:
    root = fresh_copy(extracted, tmp_path / "s")
    assert build_site(root, jobs=2).published
    before = tree_bytes(root / "site")
    parent = os.getpid()
    render_page = briefgen.render.render_page

    def failing(env: object, page: briefgen.render.Page, *args: object) -> bytes:
        if os.getpid() != parent and page.template == "actor.html":
            raise briefgen.render.TemplateProblem("templates/actor.html", 7, "UndefinedError: 'nothing' is undefined")
        return render_page(env, page, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.render, "render_page", failing)
    forks.clear()
    edited(root)
    result = build_site(root, jobs=2)
    assert forks == [1] and not result.published
    (error,) = result.errors
    assert (error.path, error.line) == ("templates/actor.html", 7) and "'nothing' is undefined" in error.message
    assert tree_bytes(root / "site") == before


def test_a_resident_process_readies_the_templates_before_forking_an_edits_helper(
    extracted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int], no_hang: None
) -> None:
    """With ``keep_templates`` (``briefgen serve``'s build process), the templates are compiled and digested before
    an edit's helper is forked: the helper, forked afresh each build, neither compiles nor parses one. A template
    edited between builds is used as edited; a broken one is reported as by any build."""
    root = fresh_copy(extracted, tmp_path / "s")
    (root / "templates" / "static").mkdir(parents=True)
    (root / "templates" / "static" / "saved.html").write_bytes(b"\xff\xfe<p>a saved page, not text</p>")  # no template
    assert build_site(root, jobs=2).published
    monkeypatch.setattr(briefgen.render, "_warm_templates", False)
    briefgen.render.keep_templates()
    monkeypatch.setattr(briefgen.render, "_COMPILED", briefgen.render._CompiledTemplates())  # none compiled yet
    monkeypatch.setattr(briefgen.digest, "_ANALYSED", {})  # none parsed yet
    parent = os.getpid()
    log = tmp_path / "helper.log"  # what the helper compiled or parsed (it is another process)
    compile_template = jinja2.Environment.compile
    parse_template = jinja2.Environment.parse

    def noted(what: str) -> None:
        if os.getpid() != parent:
            with log.open("a", encoding="utf-8") as out:
                out.write(what + "\n")

    def compiled(env: jinja2.Environment, source: object, name: str | None = None, *args: object) -> object:
        noted(f"compiled {name}")
        return compile_template(env, source, name, *args)  # type: ignore[arg-type]

    def parsed(env: jinja2.Environment, source: str, name: str | None = None, *args: object) -> object:
        noted(f"parsed {name}")
        return parse_template(env, source, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", compiled)
    monkeypatch.setattr(jinja2.Environment, "parse", parsed)
    for step in range(2):  # an edit; then an edit and an actor page template changed with it
        edited(root) if step == 0 else overridden(root, "actor.html", "<h1>", '<h1 class="who">')
        (root / story(4)[0]).write_text(story(4, f"\nEdit {step}.\n")[1], encoding="utf-8")
        forks.clear()
        result = build_site(root, jobs=2)
        assert result.published and not result.errors and forks == [1]
        assert not log.exists(), log.read_text(encoding="utf-8")
        assert tree_bytes(root / "site") == clean_build_of(root, tmp_path / f"clean-{step}")
    assert b'<h1 class="who">' in (next((root / "site" / "actors").glob("*/index.html"))).read_bytes()
    before = tree_bytes(root / "site")
    overridden(root, "actor.html", "<h1>", "<h1>{% if %}")
    (root / story(4)[0]).write_text(story(4)[1], encoding="utf-8")
    result = build_site(root, jobs=2)
    assert not result.published
    (error,) = result.errors
    assert Path(error.path or "").resolve().relative_to(root.resolve()) == Path("templates/actor.html")
    assert error.line == 8 and "Expected an expression" in error.message
    assert tree_bytes(root / "site") == before


def overridden(root: Path, name: str, old: str, new: str) -> None:
    """The site's own copy of the package's template ``name``, with ``old`` replaced by ``new``."""
    templates = root / "templates"
    templates.mkdir(exist_ok=True)
    base = (PACKAGE_TEMPLATES / name).read_text(encoding="utf-8")
    assert old in base
    (templates / name).write_text(base.replace(old, new), "utf-8")


def retitled(root: Path) -> None:
    """A briefing template that changes every briefing page, and no other file."""
    overridden(root, "briefing.html", "{{ article.title }}", "{{ article.title }}!")


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def test_workers_put_their_files_in_the_new_site(
    extracted: Path, tmp_path: Path, forks: list[int], no_hang: None
) -> None:
    """Workers write what they render into the staging folder: new bytes as new files, the same bytes linked."""
    root = fresh_copy(extracted, tmp_path / "s")
    assert build_site(root, jobs=2, search=False).published
    before = inodes(root / "site")
    retitled(root)
    forks.clear()
    result = build_site(root, jobs=2, search=False)
    assert result.published and result.stats is not None
    assert forks == [1, 2]  # the helper ended unused (not an edit), the workers
    after = inodes(root / "site")
    pages = sorted(p for p in before if p.startswith("briefings/") and p.endswith("/index.html"))
    markdown = [p for p in before if p.endswith("/briefing.md")]
    assert len(pages) == len(markdown) == ARTICLES
    assert [p for p in pages if after[p] == before[p]] == []  # re-rendered, new bytes: written
    assert [p for p in markdown if after[p] != before[p]] == []  # re-rendered, the same bytes: linked
    assert sorted(result.stats.changed) == pages
    assert (result.stats.written, result.stats.removed) == (ARTICLES, 0)
    assert result.stats.unchanged == len(after) - ARTICLES


def test_a_worker_that_cannot_write_fails_the_build(
    extracted: Path, tmp_path: Path, forks: list[int], no_hang: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk in a worker: the build fails naming the file, the published site stands, no staging is left."""
    root = fresh_copy(extracted, tmp_path / "s")
    assert build_site(root, jobs=2, search=False).published
    published = tree_bytes(root / "site")
    full_disk_at(monkeypatch, "story-7")
    retitled(root)
    forks.clear()
    result = build_site(root, jobs=2, search=False)
    assert forks == [1, 2]
    assert not result.published
    [error] = result.errors
    assert "No space left on device" in error.message and "story-7" in error.message
    assert tree_bytes(root / "site") == published
    assert leftovers(root) == []


def broken_template(root: Path) -> int:
    """A briefing template that fails for one briefing only (in a worker, mid-build); the line it fails on."""
    templates = root / "templates"
    templates.mkdir(exist_ok=True)
    base = (PACKAGE_TEMPLATES / "briefing.html").read_text(encoding="utf-8")
    body = "{{ body_head_html | safe }}"
    broken = '{% if article.slug == "story-2" %}{{ no_such_value }}{% endif %}\n'
    (templates / "briefing.html").write_text(base.replace(body, broken + body), encoding="utf-8")
    return base[: base.index(body)].count("\n") + 1


def test_template_error_in_a_worker_is_reported_as_in_process(
    extracted: Path, tmp_path: Path, forks: list[int], no_hang: None
) -> None:
    reports = []
    for jobs in (1, 2):
        root = fresh_copy(extracted, tmp_path / f"jobs{jobs}")
        line = broken_template(root)
        result = build_site(root, jobs=jobs)
        assert not result.published
        assert not (root / "site").exists()
        assert not list(root.glob(".site.*"))
        (error,) = result.errors
        reports.append((error.message, Path(error.path or "").resolve().relative_to(root.resolve()), error.line))
    assert forks == [2]
    assert reports[0] == reports[1]
    message, path, reported = reports[1]
    assert "no_such_value" in message and path == Path("templates/briefing.html")
    assert reported == line > 1


@pytest.mark.parametrize(
    ("expression", "message"),
    [("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"), ("{% for x in 5 %}{% endfor %}", "TypeError: 'int'")],
)
def test_a_templates_own_runtime_error_names_it_not_briefgen(
    extracted: Path, tmp_path: Path, no_hang: None, expression: str, message: str
) -> None:
    """An error of Python's raised by a template's code was reported as briefgen's own fault ("please report it",
    exit status 2): it is the template's, named with its line, in a worker as in the build's process."""
    for jobs in (1, 2):
        root = fresh_copy(extracted, tmp_path / f"{jobs}-{len(expression)}")
        templates = root / "templates"
        templates.mkdir()
        base = (PACKAGE_TEMPLATES / "briefing.html").read_text(encoding="utf-8")
        body = "{{ body_head_html | safe }}"
        (templates / "briefing.html").write_text(base.replace(body, expression + body), encoding="utf-8")
        result = build_site(root, jobs=jobs)
        [error] = result.errors
        assert Path(error.path or "").name == "briefing.html" and error.line == base[: base.index(body)].count("\n") + 1
        assert error.message.startswith(f"template error: {message}")
        assert not result.published


def test_template_error_keeps_the_published_site(extracted: Path, tmp_path: Path, no_hang: None) -> None:
    root = fresh_copy(extracted, tmp_path / "s")
    assert build_site(root, jobs=2).published
    before = tree_bytes(root / "site")
    line = broken_template(root)
    result = build_site(root, jobs=2)
    assert not result.published and result.errors[0].line == line
    assert tree_bytes(root / "site") == before


def test_a_worker_that_dies_fails_the_build(
    extracted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int], no_hang: None
) -> None:
    root = fresh_copy(extracted, tmp_path / "s")
    parent = os.getpid()
    relink = briefgen.render.relink

    def dying(briefing: briefgen.render.Briefing, *args: object) -> briefgen.render.Briefing:
        if os.getpid() != parent and briefing.article.slug == "story-4":
            os._exit(7)
        return relink(briefing, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.render, "relink", dying)
    result = build_site(root, jobs=2)
    assert forks == [2]
    assert not result.published
    assert "render worker died (exit status 7)" in result.errors[0].message
    assert not (root / "site").exists() and not list(root.glob(".site.*"))


def test_pool_results_come_in_order_and_errors_surface() -> None:
    with ForkPool(lambda n: n * n, 2) as pool:  # type: ignore[arg-type]
        assert list(pool.ordered(range(50), 4)) == [n * n for n in range(50)]

    def fails(n: int) -> int:
        if n == 7:
            raise ValueError("seven")
        return n

    with pytest.raises(ValueError, match="seven"), ForkPool(fails, 2) as pool:
        list(pool.ordered(range(20), 4))
    for _ in range(5):  # dying before or after the next task is sent to it
        with pytest.raises(WorkerDied, match="exit status 1"), ForkPool(lambda n: os._exit(1), 2) as pool:
            list(pool.ordered(range(5), 4))


def test_no_fork_while_threads_run() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not can_fork()
    finally:
        release.set()
        thread.join()


def test_workers_compose_into_the_store_and_a_clean_build_takes_from_it(
    extracted: Path, tmp_path: Path, forks: list[int], no_hang: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers write the briefings they compose to ``.briefgen/composed.sqlite``; the next clean build's workers
    compose none (composing would fail in them) and the site is the same."""
    root = fresh_copy(extracted, tmp_path / "s")
    assert build_site(root, jobs=2).published
    assert forks == [2]
    first = tree_bytes(root / "site")
    with sqlite3.connect(root / ".briefgen" / "composed.sqlite") as db:
        assert db.execute("SELECT count(*) FROM composed").fetchone()[0] == ARTICLES

    def composing(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("composed again")

    monkeypatch.setattr(briefgen.render, "compose_briefing", composing)  # the workers are forked with it
    shutil.rmtree(root / "site")
    (root / ".briefgen" / "state.json").unlink()
    forks.clear()
    result = build_site(root, jobs=2)
    assert result.published and not result.errors
    assert forks == [2]
    assert tree_bytes(root / "site") == first


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_resident_process_plans_again_only_what_an_edit_changed(
    extracted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int], no_hang: None, jobs: int
) -> None:
    """With what a resident build process keeps (``briefgen serve``'s, the daemon's: ``KeptBetweenBuilds``), an edit's
    briefing and the pages of the actors it names are planned again, and every other briefing's and actor's plan is
    the last build's (``render.keep_plans``); an actor of many pages has its first page and the edited briefing's
    planned again, the others stand (``render._replanned``). So with an edit's helper (``jobs=2``: the plans are made
    here too, for the next build) and without. After each edit, and a newest article added, rewritten and deleted,
    the site is a clean build's."""
    import briefgen.build
    import briefgen.site.actors
    from briefgen.watch import KeptBetweenBuilds

    not_resident(monkeypatch)
    monkeypatch.setattr(briefgen.render, "_warm_templates", False)
    root = fresh_copy(extracted, tmp_path / "s")
    with (root / "briefgen.yml").open("a", encoding="utf-8") as settings:
        settings.write("actor_page_size: 2\n")  # the actors of every story have pages of 2 briefings
    other = root / "content" / "2025-09-01-other.md"
    said = "Kaja Kallas met Keir Starmer in London on Monday. Kallas said the talks “went well”."
    other.write_text(article("Other news", "2025-09-01", said), encoding="utf-8")
    kept = KeptBetweenBuilds()
    resident = briefgen.render.keep_plans()
    assert build_site(root, jobs=jobs).published
    kept.done()
    actors = resident.actor_pages.planned
    assert actors > 3 and len(resident.plans) == ARTICLES + 1  # all of them, the first time
    newest = root / "content" / "2025-10-01-newest.md"
    steps = [
        (root / story(3)[0], story(3)[1].replace("August.\n", "August. Nothing more was said that day.\n")),
        (other, article("Other news", "2025-09-01", said + " Starmer agreed.")),  # the same actors
        (other, article("Other news", "2025-09-01", said + " Emmanuel Macron agreed.")),  # one more
        (newest, article("Newest news", "2025-10-01", "Kaja Kallas said on Friday that “nothing” was agreed.")),
        (newest, article("Newest news", "2025-10-01", "Keir Starmer said on Friday that “all” was agreed.")),
        (newest, None),
    ]
    for number, (path, text) in enumerate(steps):
        before = dict(resident.plans)
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")
        forks.clear()
        assert build_site(root, jobs=jobs).published
        kept.done()
        if number < 2:  # the edited briefing planned again, and the pages of its own actors only
            outline = kept_outline(path)
            assert [k for k, plan in resident.plans.items() if before.get(k) is not plan] == [id(outline)]
            index = briefgen.site.actors._kept.last.index  # type: ignore[union-attr]
            named = set(index.ids_for(outline.article.slug).values())  # type: ignore[attr-defined]
            pages = resident.actor_pages
            assert pages.planned + pages.replanned == len(named) < actors
            assert (pages.replanned > 0) == (number == 0)  # the stories' actors have pages of older briefings
            assert forks == ([1] if jobs == 2 else [])  # the helper made the site pages
        clean = clean_build_elsewhere(monkeypatch, root, tmp_path / f"clean-{number}")
        assert tree_bytes(root / "site") == clean, f"step {number}"


def kept_outline(path: Path) -> object:
    """The outline of the article at ``path`` that a resident build process keeps for its next build."""
    import briefgen.build

    assert briefgen.build._outlines is not None
    return next(o for source, o in briefgen.build._outlines.items() if path.name == source.name)
