"""The ``briefgen`` command line: build, extract, serve, daemon."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from briefgen import __version__

NO_SEARCH_HELP = "no search index (Pagefind's share of a build; the search page says there is none)"


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefgen", description="Turn articles into briefings and publish them.")
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build the site from the articles in content/")
    build.add_argument("site", nargs="?", default=".", type=Path, help="site folder holding briefgen.yml (default: .)")
    build.add_argument("--out", type=Path, help="output folder (default: the config's output, site/)")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    build.add_argument("--drafts", action="store_true", help="include draft articles")
    build.add_argument(
        "--jobs", "-j", type=_jobs, default=0, help="processes to extract and render (default, 0: all cores)"
    )
    build.add_argument("--watch", action="store_true", help="keep watching and rebuild what changed")
    build.add_argument("--format", choices=("html", "mkdocs"), default="html", help="html site or an MkDocs project")
    build.add_argument("--scheduler", help="a dask.distributed scheduler address to run extraction on")
    build.add_argument("--no-search", action="store_true", help=NO_SEARCH_HELP)
    build.add_argument(
        "--gc", action="store_true", help="then delete cached extractions no article uses now, and compact the cache"
    )
    build.add_argument("--no-daemon", action="store_true", help="build in this process even if the site has a daemon")

    daemon = sub.add_parser(
        "daemon", help="a build process that stays for a site, so that each `briefgen build` there is quicker"
    )
    daemon.add_argument("action", choices=("start", "stop", "status", "run"), help="run: in the foreground")
    daemon.add_argument("site", nargs="?", default=".", type=Path, help="site folder (default: .)")
    daemon.add_argument("--jobs", "-j", type=_jobs, default=0, help="processes for its builds (default, 0: all cores)")
    daemon.add_argument(
        "--idle-timeout", type=_minutes, default=180.0, help="minutes without a build before it leaves (0: never)"
    )

    extract = sub.add_parser("extract", help="print the briefing extracted from one article")
    extract.add_argument("file", type=Path, help="an article file, or with --jsonl a JSONL file ('-' for stdin)")
    mode = extract.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the structured extraction as JSON")
    mode.add_argument("--jsonl", action="store_true", help="read {id,text,dct} lines, write evaluation records")
    extract.add_argument("--date", type=_iso_date, help="the article's date (YYYY-MM-DD) when the file gives none")
    extract.add_argument("--out", type=Path, help="write to this file instead of stdout")
    extract.add_argument("--site", type=Path, default=Path("."), help="site folder for actors.yml (default: .)")

    serve = sub.add_parser("serve", help="preview the site, rebuilding and reloading on every save")
    serve.add_argument("site", nargs="?", default=".", type=Path)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000, help="0 for any free port (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument("--drafts", action="store_true")
    serve.add_argument("--no-search", action="store_true", help=NO_SEARCH_HELP)
    return parser


def main(argv: Sequence[str] | None = None, *, leave_at_once: bool = False) -> int:
    """Run the command ``argv`` names; its exit status. ``leave_at_once``: a build ends the process as soon as it
    has reported (``briefgen.build.leave``)."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "build":
            if not (args.watch or args.no_daemon or args.format != "html"):
                from briefgen.daemon import build_in_daemon

                if (code := build_in_daemon(args)) is not None:
                    return code
            from briefgen.build import run_build_command

            return run_build_command(args, leave_at_once=leave_at_once)
        if args.command == "daemon":
            from briefgen.daemon import run_daemon_command

            return run_daemon_command(args)
        if args.command == "extract":
            return _extract(args)
        if args.command == "serve":
            from briefgen.serve import run_serve_command

            return run_serve_command(args)
    except KeyboardInterrupt:
        print("briefgen: interrupted", file=sys.stderr)
        return 130
    return 2


def console_main() -> None:
    """The ``briefgen`` command (and ``python -m briefgen``)."""
    sys.exit(main(leave_at_once=True))


def _extract(args: argparse.Namespace) -> int:
    if args.jsonl:
        return _extract_jsonl(args.file, args.out)
    return _extract_one(args)


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """``--out``'s file (stdout without it), opened once there is something to write."""
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8") as handle:
        yield handle


def _extract_jsonl(path: Path, out: Path | None) -> int:
    """Evaluation records for the ``{id, text, dct}`` lines of ``path``; nothing is written when a line is bad."""
    from briefgen.evaljsonl import read_eval_input, to_eval_record
    from briefgen.extract import extract_many

    shown = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            items, problems = read_eval_input(sys.stdin, shown)
        else:
            with open(path, encoding="utf-8") as stream:
                items, problems = read_eval_input(stream, shown)
    except OSError as exc:
        return _fail(f"briefgen: error: cannot read {shown}: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        return _fail(f"{shown}: error: not UTF-8 text (byte 0x{exc.object[exc.start]:02x})")
    for problem in problems:
        print(problem, file=sys.stderr)
    if any(p.level == "error" for p in problems):
        return 1
    results = extract_many(((text, dct) for _, text, dct in items))
    try:
        with _output(out) as stream:
            for (doc_id, text, _), extraction in zip(items, results, strict=True):
                stream.write(json.dumps(to_eval_record(doc_id, text, extraction), ensure_ascii=False) + "\n")
    except OSError as exc:
        return _fail(f"briefgen: error: cannot write {out}: {exc.strerror or exc}")
    return 0


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _whole(text: str, what: str, most: int | None = None) -> int:
    """``text`` as a whole number in ASCII digits (``str.isdigit`` takes "²", which ``int`` refuses), at most
    ``most``; else an argument error saying it is not ``what``."""
    if not (text.isascii() and text.isdigit()) or (most is not None and int(text) > most):
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}")
    return int(text)


def _jobs(text: str) -> int:
    """``--jobs``: a number of processes; 0 for every core."""
    return _whole(text, "a number of processes (0 for every core)")


def _minutes(text: str) -> float:
    """``--idle-timeout``: minutes, not negative."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}")
    return value


def _port(text: str) -> int:
    """``--port``: a TCP port, 0 to 65535."""
    return _whole(text, "a port (0 to 65535)", 65535)


def _iso_date(text: str) -> dt.date:
    """``--date``: a calendar date, YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _extract_one(args: argparse.Namespace) -> int:
    from briefgen.compose import compose_briefing, extraction_to_data
    from briefgen.config import load_config
    from briefgen.extract import extract_text
    from briefgen.readers import ReadError, read_article
    from briefgen.registry import load_registry

    config, problems = load_config(args.site)
    registry, reg_problems = load_registry(args.site / "actors.yml")
    for problem in (*problems, *reg_problems):
        print(problem, file=sys.stderr)
    try:
        article, read_problems = read_article(args.file, args.file.parent)
    except ReadError as exc:
        print(exc, file=sys.stderr)
        return 1
    for problem in read_problems:
        print(problem, file=sys.stderr)
    if args.date:
        from dataclasses import replace

        article = replace(article, date=args.date)
    extraction = extract_text(article.text, article.date, registry)
    for problem in extraction.problems:
        print(f"{args.file}: {problem.level}: {problem.message}", file=sys.stderr)
    if args.json:
        text = json.dumps(extraction_to_data(article, extraction), ensure_ascii=False, indent=2) + "\n"
    else:
        text = compose_briefing(article, extraction, config).markdown
    try:
        with _output(args.out) as stream:
            stream.write(text)
    except OSError as exc:
        return _fail(f"briefgen: error: cannot write {args.out}: {exc.strerror or exc}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUTF8", "1")
    raise SystemExit(main())
