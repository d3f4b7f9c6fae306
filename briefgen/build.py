"""``briefgen build``: read → extract → compose → render → write, for a whole site."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.compose import compose_briefing
from briefgen.config import SiteConfig, load_config
from briefgen.model import Article, Briefing, Problem
from briefgen.readers import ReadError, is_article_path, read_article
from briefgen.registry import Registry, load_registry
from briefgen.render import TemplateProblem, render_site
from briefgen.write import UnsafePath, WriteStats, publish, site_lock

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

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")


def discover_articles(content: Path) -> tuple[list[Path], list[Problem]]:
    """Article files under ``content``, sorted; symlinks that lead outside it are refused."""
    problems: list[Problem] = []
    if not content.is_dir():
        return [], [Problem("error", "content folder not found", str(content))]
    root = content.resolve()
    found: list[Path] = []
    for folder, dirs, files in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(files):
            path = Path(folder) / name
            if not is_article_path(path):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                problems.append(Problem("error", "symlink leads outside the content folder; skipped", str(path)))
                continue
            found.append(path)
    return found, problems


def read_all(config: SiteConfig, drafts: bool) -> tuple[list[Article], list[Problem]]:
    paths, problems = discover_articles(config.content_path)
    articles: list[Article] = []
    seen: dict[str, Article] = {}
    for path in paths:
        try:
            article, read_problems = read_article(path, config.content_path)
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
) -> Iterator[Briefing]:
    from briefgen.pipeline import extract_articles

    for article, extraction in extract_articles(articles, registry, config, jobs, progress, scheduler=scheduler):
        yield compose_briefing(article, extraction, config)


def build_site(
    root: Path,
    *,
    out: Path | None = None,
    drafts: bool = False,
    strict: bool = False,
    jobs: int = 0,
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> BuildResult:
    """Build the site at ``root``; publish it unless the configuration or templates are broken."""
    started = time.perf_counter()
    config, problems_t = load_config(root)
    if out is not None:
        config = _with_output(config, out)
    registry, registry_problems = load_registry(root / "actors.yml")
    problems = [*problems_t, *registry_problems]
    if any(p.level == "error" for p in problems):
        return BuildResult(problems=tuple(problems), seconds=time.perf_counter() - started)
    articles, read_problems = read_all(config, drafts)
    problems += read_problems
    briefings: list[Briefing] = []
    try:
        extracted = list(extract_all(articles, registry, config, jobs, progress, scheduler))
    except (OSError, RuntimeError) as exc:  # a cluster that cannot be reached, workers that died
        problems.append(Problem("error", f"extraction failed: {exc}"))
        return BuildResult(len(articles), 0, tuple(problems), False, time.perf_counter() - started)
    for briefing in extracted:
        briefings.append(briefing)
        for p in briefing.extraction.problems:
            problems.append(Problem(p.level, p.message, f"{config.content_dir}/{briefing.article.source_path}", p.line))
    try:
        files = render_site(briefings, config, registry=registry)
    except TemplateProblem as exc:
        problems.append(Problem("error", f"template error: {exc.message}", exc.name, exc.line))
        return BuildResult(len(articles), 0, tuple(problems), False, time.perf_counter() - started)
    if strict and any(p.level == "warning" for p in problems):
        return BuildResult(len(articles), 0, tuple(problems), False, time.perf_counter() - started)
    try:
        with site_lock(config.root):
            stats = publish(files, config.output_path)
    except (UnsafePath, OSError) as exc:
        problems.append(Problem("error", f"cannot write the site: {exc}", str(config.output_path)))
        return BuildResult(len(articles), 0, tuple(problems), False, time.perf_counter() - started)
    pages = sum(1 for p in files if p.endswith(".html"))
    return BuildResult(
        len(articles), pages, tuple(problems), True, time.perf_counter() - started, stats, tuple(briefings)
    )


def _with_output(config: SiteConfig, out: Path) -> SiteConfig:
    from dataclasses import replace

    return replace(config, output_dir=os.path.relpath(out.absolute(), config.root.absolute()))


class ProgressBar:
    """A one-line progress bar on a terminal (stderr); silent elsewhere."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\rextracting [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\r" + " " * (width + 30) + "\r")
        sys.stderr.flush()


def run_build_command(args: argparse.Namespace) -> int:
    if args.watch:
        from briefgen.serve import run_watch

        return run_watch(args)
    if args.format == "mkdocs":
        from briefgen.mkdocs_export import run_mkdocs_export

        return run_mkdocs_export(args)
    result = build_site(
        args.site,
        out=args.out,
        drafts=args.drafts,
        strict=args.strict,
        jobs=args.jobs,
        progress=ProgressBar(not args.quiet),
        scheduler=args.scheduler,
    )
    return report(result, strict=args.strict, quiet=args.quiet)


def report(result: BuildResult, *, strict: bool, quiet: bool) -> int:
    for problem in result.problems:
        if problem.level == "error" or strict or not quiet:
            print(problem, file=sys.stderr)
    failed = bool(result.errors) or (strict and bool(result.warnings)) or not result.published
    if not quiet or failed:
        state = "built" if result.published else "NOT published"
        print(
            f"briefgen: {state}: {result.articles} articles, {result.pages} pages, "
            f"{len(result.errors)} errors, {len(result.warnings)} warnings in {result.seconds:.2f} s",
            file=sys.stderr if failed else sys.stdout,
        )
    return 1 if failed else 0
