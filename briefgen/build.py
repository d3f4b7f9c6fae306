"""``briefgen build``: read → extract → compose → render → write, for a whole site."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

# A build with nothing to do needs only what tells it so: the modules that read, render and publish are imported by
# the functions that use them (at first use). Importing them all here took 0.15 s more, of such a build's 0.7-1.2 s
# at 10,000 articles.
from briefgen import collector
from briefgen.config import SiteConfig, load_config
from briefgen.model import Article, Briefing, Problem
from briefgen.progress import ProgressBar
from briefgen.readers import ReadError, is_article_name, read_article
from briefgen.registry import Registry, load_registry
from briefgen.state import (
    BuildState,
    clear_state,
    input_fingerprint,
    load_state,
    output_intact,
    save_state,
    scan_output,
    unchanged_digests,
)
from briefgen.write import (
    SITE_INDEX,
    Keep,
    Placed,
    Staging,
    StaleOutput,
    UnsafePath,
    WriteStats,
    carried_path,
    replace_problem,
    site_lock,
)

if TYPE_CHECKING:
    from briefgen.links import BriefingLinks
    from briefgen.pipeline import Collected, Tally

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BuildResult:
    articles: int = 0
    pages: int = 0
    problems: tuple[Problem, ...] = ()
    published: bool = False
    seconds: float = 0.0
    stats: WriteStats | None = None
    briefings: tuple[Briefing, ...] = field(default=(), repr=False)
    up_to_date: bool = False  # nothing had changed: nothing was done
    extracted: int | None = None  # articles extracted rather than taken from the cache (None: none looked at)
    output_refused: bool = False  # not built: the output folder may not be replaced (``output_problems``)
    collected: Collected | None = None  # what ``gc`` removed from the extraction cache

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")


def discover_articles(content: Path) -> tuple[list[Path], list[Problem]]:
    """Article files under ``content``, sorted (a folder's files, then its folders'); symlinks that lead outside it
    are refused. Folders whose names start with "." or "_" are skipped, and so are symlinks to folders.

    Every build starts here, the ones with nothing to do included: the folders' entries say which are folders and
    which are symlinks, so only an article's path is made, and only a symlink is looked at again (at 10,000
    articles, ``os.walk`` with a ``Path`` and an ``lstat`` for every file took 0.19 s, this 0.12 s).
    """
    problems: list[Problem] = []
    if not content.is_dir():
        return [], [Problem("error", "content folder not found", str(content))]
    root = content.resolve()
    found: list[Path] = []
    pending = [os.fspath(content)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:  # gone, or not readable: as ``os.walk`` does, skipped
            continue
        folders = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                if not entry.is_symlink() and not entry.name.startswith((".", "_")):
                    folders.append(entry.path)
                continue
            if not is_article_name(entry.name):
                continue
            path = Path(entry.path)
            if entry.is_symlink() and not path.resolve().is_relative_to(root):
                problems.append(Problem("error", "symlink leads outside the content folder; skipped", str(path)))
                continue
            found.append(path)
        pending += reversed(folders)
    return found, problems


def read_all(
    config: SiteConfig, drafts: bool, paths: list[Path] | None = None, memo: bool = False
) -> tuple[list[Article], list[Problem]]:
    """Every article (drafts only when asked); problems name the files. ``paths`` defaults to all of them.

    With ``memo`` (a build, reading every article), files read as the last such build read them are decoded
    from ``.briefgen/articles.msgpack`` rather than parsed (``briefgen.readers.memo``), and this read is kept there.
    """
    from briefgen.readers.memo import ReadMemo, memo_path

    problems: list[Problem] = []
    if paths is None:
        paths, problems = discover_articles(config.content_path)
    remembered = ReadMemo(memo_path(config.root)) if memo else None
    read = remembered.read if remembered is not None else read_article
    articles: list[Article] = []
    seen: dict[str, Article] = {}
    for path in paths:
        try:
            article, read_problems = read(path, config.content_path)
        except ReadError as exc:
            problems.append(_in_content(exc.problem, config))
            continue
        problems.extend(_in_content(p, config) for p in read_problems)
        if article.draft and not drafts:
            continue
        if article.slug in seen:
            other = seen[article.slug].source_path
            problems.append(
                _in_content(
                    Problem(
                        "error", f"slug {article.slug!r} is already used by {other}; skipped", str(article.source_path)
                    ),
                    config,
                )
            )
            continue
        if article.date is None:
            problems.append(
                _in_content(
                    Problem(
                        "warning",
                        "no date (front matter 'date' or a YYYY-MM-DD- file name prefix); "
                        "time expressions stay unresolved",
                        str(article.source_path),
                    ),
                    config,
                )
            )
        seen[article.slug] = article
        articles.append(article)
    if remembered is not None:
        remembered.save()
    return articles, problems


def _in_content(problem: Problem, config: SiteConfig) -> Problem:
    """Show article paths as the editor sees them: under the content folder."""
    if problem.path and not Path(problem.path).is_absolute() and not problem.path.startswith(config.content_dir):
        return Problem(problem.level, problem.message, f"{config.content_dir}/{problem.path}", problem.line)
    return problem


def extract_all(
    articles: list[Article],
    registry: Registry,
    config: SiteConfig,
    jobs: int,
    progress: Progress | None,
    scheduler: str | None = None,
    release_model: bool = False,
    tally: Tally | None = None,
) -> Iterator[Briefing]:
    """Each article's briefing outline (``compose.outline_briefing``) from its extraction (``extract_articles``:
    ``tally``, when given, gets how many were extracted)."""
    from briefgen.compose import outline_briefing
    from briefgen.pipeline import extract_articles

    global _outlines
    scopes: list[str] = []
    extracted = extract_articles(
        articles,
        registry,
        config,
        jobs,
        progress,
        scheduler=scheduler,
        release_model=release_model,
        scopes=scopes,
        tally=tally,
    )
    kept = _outlines
    made: dict[Path, Briefing] = {}
    for (article, extraction), scope in zip(extracted, scopes, strict=True):
        outline = kept.get(article.source_path) if kept is not None else None
        if (
            outline is None
            or outline.article is not article
            or outline.extraction is not extraction
            or outline.registry_scope != scope
        ):
            outline = outline_briefing(article, extraction, scope)
        made[article.source_path] = outline
        yield outline
    if kept is not None:
        _outlines = made


# In a resident build process (``keep_outlines``): the last build's outlines by article path. One whose article and
# extraction are the very objects this build has (``readers.memo.keep_read`` and ``cache.keep_decoded`` keep them)
# is used again, so what was made from it and is known by identity, the actor index above all
# (``site.actors.keep_index``), can be used again too.
_outlines: dict[Path, Briefing] | None = None


def keep_outlines() -> None:
    """Keep each build's briefing outlines in this process for its next build."""
    global _outlines
    if _outlines is None:
        _outlines = {}


def build_site(
    root: Path,
    *,
    out: Path | None = None,
    drafts: bool = False,
    strict: bool = False,
    jobs: int = 0,
    progress: Progress | None = None,
    scheduler: str | None = None,
    search: bool = True,
    release_model: bool = False,
    gc: bool = False,
    warm: bool = False,
) -> BuildResult:
    """Build the site at ``root``; publish it unless the configuration or templates are broken.

    The build is incremental: with every input as the last build saw it, and the output as it
    left it, there is nothing to do; otherwise only pages whose inputs changed are rendered
    and written. The result is always byte-identical to a clean build of the same content.
    ``release_model`` lets a language model loaded for the changed articles go before rendering (one-shot
    processes: the CLI, the server's child builds). With ``gc``, a build that published (or found the site up to
    date) then deletes the extraction cache's rows that no article of the site uses, drafts included. With ``warm``
    (a resident process's first build: ``briefgen daemon``), a site that is up to date is built all the same, so
    the process has read, decoded and indexed it for its next build; every page is kept as it is.
    """
    started = time.perf_counter()
    config, config_problems = load_build_config(root, out)
    registry, registry_problems = load_registry(root / "actors.yml")
    problems = [*config_problems, *registry_problems]
    refused = output_problems(config, out) if not any(p.level == "error" for p in problems) else []
    problems += refused
    if any(p.level == "error" for p in problems):
        return BuildResult(
            problems=tuple(problems), seconds=time.perf_counter() - started, output_refused=bool(refused)
        )
    with site_lock(config.root), collector.paused():
        result = _build_locked(
            config, registry, problems, drafts, strict, jobs, progress, scheduler, search, release_model, warm
        )
        if gc and (result.published or result.up_to_date):
            result = dataclasses.replace(result, collected=_collect_garbage(config))
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def output_problems(config: SiteConfig, out: Path | None = None) -> list[Problem]:
    """Why the build may not replace its output folder (:func:`briefgen.write.replace_problem`): one ``--out`` names
    (``out``), or the settings' (whose own conflicts ``load_config`` reports, with their line), holding the editor's
    files or what briefgen did not write."""
    own = config.root_file_names()  # a .nojekyll of templates/root is the build's own
    problem = replace_problem(config, config.output_path, "the output folder", SITE_INDEX, own=own)
    return [Problem("error", problem, "--out" if out is not None else None)] if problem is not None else []


def _collect_garbage(config: SiteConfig) -> Collected:
    from briefgen.pipeline import collect_garbage

    paths, _ = discover_articles(config.content_path)
    # drafts too (a build with --drafts would need them); read as the build read them, through the memo
    articles, _ = read_all(config, True, paths, memo=True)
    return collect_garbage(config, articles)


def _build_locked(
    config: SiteConfig,
    registry: Registry,
    problems: list[Problem],
    drafts: bool,
    strict: bool,
    jobs: int,
    progress: Progress | None,
    scheduler: str | None,
    search: bool,
    release_model: bool = False,
    warm: bool = False,
) -> BuildResult:
    output = config.output_path.absolute()
    paths, discover_problems = discover_articles(config.content_path)
    # What discovery refused (a symlink out of the content folder) is an input too: a new one is reported by a build,
    # not dropped by the "up to date" answer, which repeats the problems of the build it stands for.
    refused = "".join(f"{p.path}\x1f{p.message}\x1e" for p in discover_problems)
    fingerprint = input_fingerprint(config, paths, f"drafts={drafts};search={search};refused={refused}")
    state = load_state(config)
    if (
        not warm
        and not problems
        and state.inputs == fingerprint
        and output_intact(state, output)
        # a killed build's carried entries (a ``.git``) wait in its staging folder: a build puts them back
        and not carried_path(output).exists()
    ):
        articles, pages = state.counts
        return BuildResult(articles, pages, state.problems, True, up_to_date=True)
    from briefgen.links import SiteLinks, save_links
    from briefgen.parallel import WorkerDied
    from briefgen.pipeline import Tally
    from briefgen.render import TemplateProblem
    from briefgen.site.dates import as_of_date

    problems += discover_problems
    if not config.content_path.is_dir():  # a mistyped content_dir: publishing would empty the site
        return BuildResult(0, 0, tuple(problems), False)
    articles, read_problems = read_all(config, drafts, paths, memo=True)
    problems += read_problems
    tally = Tally()
    try:
        briefings = list(extract_all(articles, registry, config, jobs, progress, scheduler, release_model, tally))
    except (OSError, RuntimeError) as exc:  # a cluster that cannot be reached, workers that died
        problems.append(Problem("error", f"extraction failed: {exc}"))
        return BuildResult(len(articles), 0, tuple(problems), False)
    for briefing in briefings:
        for p in briefing.extraction.problems:
            problems.append(Problem(p.level, p.message, f"{config.content_dir}/{briefing.article.source_path}", p.line))
    if strict and any(p.level == "warning" for p in problems):
        return BuildResult(len(articles), 0, tuple(problems), False)
    try:
        links: dict[str, BriefingLinks] = {}
        previous = unchanged_digests(state, output)
        known = frozenset(state.files) if state.output == str(output) and state.files else None
        digests, kept, stats = _render_and_publish(
            briefings, config, registry, previous, search, links, jobs, known, state.spare
        )
    except TemplateProblem as exc:
        problems.append(Problem("error", f"template error: {exc.message}", exc.name, exc.line))
        return BuildResult(len(articles), 0, tuple(problems), False)
    except (UnsafePath, OSError) as exc:
        problems.append(Problem("error", f"cannot write the site: {exc}", str(config.output_path)))
        return BuildResult(len(articles), 0, tuple(problems), False)
    except WorkerDied as exc:
        problems.append(Problem("error", f"render failed: {exc}"))
        return BuildResult(len(articles), 0, tuple(problems), False)
    pages = sum(1 for p in digests if p.endswith(".html"))
    save_links(config, SiteLinks(str(output), as_of_date(briefings), search, links))
    files = scan_output(output, digests.keys(), digests, {path: state.files[path] for path in kept})
    counts = (len(articles), pages)
    save_state(config, BuildState(fingerprint, str(output), files, tuple(problems), counts, stats.spare))
    return BuildResult(
        len(articles), pages, tuple(problems), True, 0.0, stats, tuple(briefings), extracted=tally.extracted
    )


def _render_and_publish(
    briefings: list[Briefing],
    config: SiteConfig,
    registry: Registry,
    previous: dict[str, str],
    search: bool,
    links: dict[str, BriefingLinks],
    jobs: int = 0,
    known: Collection[str] | None = None,
    spare: str | None = None,
) -> tuple[dict[str, str | None], set[str], WriteStats]:
    """Render the site into a staging folder, file by file, index it for search there, and swap it in; each file's
    digest, the files kept from the previous site (linked: as ``previous`` found them), and what was written.

    ``known``: the files of the published site, as the last build recorded them (``Staging``: what is removed);
    ``spare``: the token the last build left in the spare (``Staging``: what the spare vouches for).
    """
    try:
        return _publish_site(briefings, config, registry, previous, search, links, jobs, known, spare)
    except StaleOutput:  # a kept file vanished under us: render everything (the spare vouches no more: it was used)
        return _publish_site(briefings, config, registry, {}, search, links, jobs, known)


def _publish_site(
    briefings: list[Briefing],
    config: SiteConfig,
    registry: Registry,
    previous: dict[str, str],
    search: bool,
    links: dict[str, BriefingLinks],
    jobs: int = 0,
    known: Collection[str] | None = None,
    spare: str | None = None,
) -> tuple[dict[str, str | None], set[str], WriteStats]:
    """The site rendered into a staging folder (by ``jobs`` processes: ``render_site_files``), indexed, published.

    The render's workers are forked when the first file is asked for, before the search indexer starts its thread;
    closing the files (on any error) ends them, and the staging folder is discarded.
    """
    from briefgen.composed import ComposedStore, composed_path
    from briefgen.links import clear_links
    from briefgen.render import SearchIndexer, render_site_files

    digests: dict[str, str | None] = {}
    kept: set[str] = set()
    plan: dict[str, list[str]] = {}
    with Staging(config.output_path.absolute(), known, spare) as staging:
        rendered = render_site_files(
            briefings,
            config,
            search=search,
            registry=registry,
            previous=previous,
            links=links,
            search_plan=plan,
            jobs=jobs,
            place=staging.place,
            composed=ComposedStore(composed_path(config.root)),
        )
        files = contextlib.closing(rendered)

        def put(path: str, data: bytes | Keep | Placed, digest: str | None) -> None:
            staging.put(path, data)
            digests[path] = digest
            if isinstance(data, Keep):
                kept.add(path)

        with files, SearchIndexer(staging.folder, config, plan, previous) as index:
            for path, data, digest in rendered:
                put(path, data, digest)
                if search:
                    index.written(path, digests)
                    for found in index.ready():
                        put(*found)
            if search:
                for found in index.files(dict(digests)):
                    put(*found)
        # Until the swap, the published site is the one the last build's state describes: a build interrupted or
        # failed before it leaves that state, and the next build keeps what it can (at 10,000 articles, an edit
        # re-renders in seconds what a lost state makes a 40-second render of everything). From the swap until the
        # new state is saved, neither describes the site.
        clear_state(config)
        clear_links(config)
        return digests, kept, staging.publish()


def load_build_config(root: Path, out: Path | None) -> tuple[SiteConfig, list[Problem]]:
    """The configuration of the site at ``root`` as a build with ``--out`` ``out`` (if given) uses it, with its
    problems (:func:`briefgen.config.load_config`)."""
    config, problems = load_config(root)
    return (with_output(config, out) if out is not None else config), problems


def with_output(config: SiteConfig, out: Path) -> SiteConfig:
    """``config`` building into ``out`` (``--out``) instead of its configured output folder."""
    return dataclasses.replace(config, output_dir=os.path.relpath(out.absolute(), config.root.absolute()))


def run_build_command(args: argparse.Namespace, *, leave_at_once: bool = False) -> int:
    """``briefgen build``: its exit status. ``leave_at_once``: a one-shot build ends the process as soon as it has
    reported (:func:`leave`)."""
    if args.watch:
        from briefgen.serve import run_watch

        return run_watch(args)
    if args.format == "mkdocs":
        from briefgen.mkdocs_export import run_mkdocs_export

        return guarded(lambda: run_mkdocs_export(args))
    code = guarded(lambda: _build_once(args))
    if leave_at_once:
        leave(code)
    return code


def _build_once(args: argparse.Namespace) -> int:
    result = build_site(
        args.site,
        out=args.out,
        drafts=args.drafts,
        strict=args.strict,
        jobs=args.jobs,
        progress=ProgressBar(not args.quiet),
        scheduler=args.scheduler,
        search=not args.no_search,
        release_model=True,  # a one-shot process: the model need not stay for the render
        gc=args.gc,
    )
    return report(result, strict=args.strict, quiet=args.quiet)


def guarded(run: Callable[[], int]) -> int:
    """``run``'s exit status; a fault of briefgen's own in it (bad input is reported as problems, not raised) is
    reported as one (:func:`internal_error`)."""
    try:
        return run()
    except Exception as exc:
        return internal_error(exc)


INTERNAL_ERROR = 2  # the exit status of a build that briefgen itself failed (1: errors in the input)


def internal_error(exc: BaseException) -> int:
    """Report a build that failed on a fault of briefgen's own, as Sphinx does: one line naming it, the traceback in
    a file to attach to a report. The published site is whole: the new one is swapped in at once or not at all."""
    import tempfile
    import traceback

    detail = "".join(traceback.format_exception(exc))
    try:
        with tempfile.NamedTemporaryFile(
            "w", prefix="briefgen-error-", suffix=".log", delete=False, encoding="utf-8"
        ) as log:
            log.write(detail)
        where = f"the traceback is in {log.name}"
    except OSError:
        sys.stderr.write(detail)
        where = "the traceback is above"
    sys.stderr.write(
        f"briefgen: internal error: {type(exc).__name__}: {exc}\n"
        f"briefgen: the published site is whole (this build's or the last one's); {where}: please report it\n"
    )
    return INTERNAL_ERROR


def leave(code: int) -> NoReturn:
    """End the process with ``code``, its output flushed, without freeing what it holds object by object.

    A build at 10,000 articles holds some ten million objects (the articles, their extractions, the actor index):
    freeing them one by one, as the build's result goes and then as the interpreter ends, took 0.4-0.5 s of a 9 s
    one-edit build. Nothing is left to do by then: the site is published or not, the workers and Pagefind have
    ended, every file is closed, and a folder still to delete is a detached ``rm``'s (``write.discard_folder``).
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def report(result: BuildResult, *, strict: bool, quiet: bool) -> int:
    for problem in result.problems:
        if problem.level == "error" or strict or not quiet:
            print(problem, file=sys.stderr)
    failed = bool(result.errors) or (strict and bool(result.warnings)) or not result.published
    if not quiet or failed:
        state = "up to date" if result.up_to_date else "built" if result.published else "NOT published"
        print(
            f"briefgen: {state}: {result.articles} articles, {result.pages} pages, "
            f"{len(result.errors)} errors, {len(result.warnings)} warnings in {result.seconds:.2f} s",
            file=sys.stderr if failed else sys.stdout,
        )
    if result.published and not result.up_to_date and not quiet:
        print(f"briefgen: {_work_done(result)}")
    if result.collected is not None and not quiet:
        gone = result.collected
        aside = f"; {gone.corrupt} set-aside corrupt files removed" if gone.corrupt else ""
        sizes = f"{_in_units(gone.before)} -> {_in_units(gone.after)}"
        print(f"briefgen: cache: {gone.rows} unused extractions removed, {sizes}{aside}")
    return 1 if failed else 0


def _work_done(result: BuildResult) -> str:
    """What a build that published did, as Pelican and Hugo tell it: articles extracted and taken from the cache,
    files written, kept and removed; the evidence that an edit re-did only what it changed."""
    from briefgen.compose import plural  # not at the top: an up-to-date build never loads compose

    parts = []
    if result.extracted is not None:
        cached = result.articles - result.extracted
        parts.append(f"{plural(result.extracted, 'article')} extracted, {cached} from the cache")
    if result.stats is not None:
        stats = result.stats
        parts.append(f"{plural(stats.written, 'file')} written, {stats.unchanged} unchanged, {stats.removed} removed")
    return "; ".join(parts)


def _in_units(count: int) -> str:
    """A size in bytes, as MB or kB."""
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.0f} kB"
