"""Watch a site's sources and rebuild on one builder thread; ``briefgen build --watch``.

Watched: the content and templates folders (recursively), ``actors.yml`` and ``briefgen.yml`` — never the output
folder or ``.briefgen/``, so a build never triggers itself. (While a build refuses to replace the output folder,
because it holds what briefgen did not write, that folder is looked at every ``OUTPUT_POLL`` seconds instead, and
the build runs again once it is cleared.) Editors save in bursts (a probe file, a backup, a rename),
so changes are debounced, and their swap, lock and backup files are ignored. A change that arrives while a build
runs is coalesced into exactly one more build.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import gc
import os
import queue
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from briefgen import collector
from briefgen.build import BuildResult, build_site, load_build_config
from briefgen.config import load_config, records_path, site_folder_problem
from briefgen.model import Problem

SOURCE_FILES = ("briefgen.yml", "actors.yml")
DEBOUNCE = 0.03  # seconds of quiet after the last change before a build starts
OUTPUT_POLL = 0.5  # seconds between looks at an output folder a build refused to replace, until it may
MAX_DELAY = 1.0  # a steady stream of changes still builds this often
EVENT_TYPES = [
    FileCreatedEvent,
    DirCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileDeletedEvent,
    DirDeletedEvent,
    FileMovedEvent,
    DirMovedEvent,
]
JUNK_SUFFIXES = (".swp", ".swx", ".swo", ".swn", ".kate-swp", ".tmp", ".bak", ".part", ".crdownload", "~")
JUNK_PATTERN = re.compile(r"\d+|.*___jb_(tmp|old)___")  # vim's 4913 write probe; JetBrains safe-write temporaries


def is_editor_junk(name: str) -> bool:
    """Hidden, swap, lock and backup files (``.x``, ``.#x``, ``#x#``, ``x~``, ``.x.swp``, ``4913``)."""
    return name.startswith((".", "#")) or name.endswith(JUNK_SUFFIXES) or JUNK_PATTERN.fullmatch(name) is not None


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


@dataclass(frozen=True, slots=True)
class WatchPlan:
    """What to watch for one site; paths are absolute."""

    root: str
    output: str
    folders: tuple[str, ...]  # watched recursively: content and templates
    files: tuple[str, ...]  # single files at the root: briefgen.yml, actors.yml
    excluded: tuple[str, ...]  # never reported: the output folder and .briefgen/

    def is_source(self, path: str) -> bool:
        """Whether a change at ``path`` can change the built site."""
        path = os.path.abspath(path)
        if any(_is_within(path, folder) for folder in self.excluded):
            return False
        if path in self.files:
            return True
        for folder in self.folders:
            if _is_within(path, folder):
                parts = Path(os.path.relpath(path, folder)).parts if path != folder else ()
                return not any(is_editor_junk(part) for part in parts)
        return False

    def show(self, path: str) -> str:
        """``path`` as the author knows it: relative to the site root."""
        return Path(os.path.relpath(path, self.root)).as_posix()


def plan_watch(root: Path, out: Path | None = None) -> WatchPlan:
    """The folders and files of the site at ``root`` (as its briefgen.yml now says) to watch."""
    config, _ = load_config(root)
    top = os.path.abspath(root)
    output = os.path.abspath(out) if out is not None else os.path.join(top, config.output_dir)
    folders = tuple(dict.fromkeys(os.path.join(top, d) for d in (config.content_dir, config.templates_dir)))
    return WatchPlan(
        root=top,
        output=output,
        folders=folders,
        files=tuple(os.path.join(top, name) for name in SOURCE_FILES),
        excluded=(output, os.fspath(records_path(Path(top)))),
    )


class _Forward(FileSystemEventHandler):
    """Passes the source paths of watchdog's events on; directory 'modified' noise is dropped."""

    def __init__(self, watcher: SourceWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type == "modified":
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = os.fsdecode(raw) if raw else ""
            if path and self.watcher.plan.is_source(path):
                self.watcher.notify(path)


class SourceWatcher:
    """watchdog's native observer (inotify on Linux) over a :class:`WatchPlan`."""

    def __init__(self, plan: WatchPlan, notify: Callable[[str], None]) -> None:
        self.plan = plan
        self.notify = notify
        self._observer = Observer()
        self._handler = _Forward(self)
        self._scheduled: dict[tuple[str, bool], object] = {}

    def start(self) -> None:
        self._schedule()
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)

    def update(self, plan: WatchPlan) -> None:
        """Follow a changed configuration, and folders created or removed since."""
        if plan != self.plan:
            self._observer.unschedule_all()
            self._scheduled.clear()
            self.plan = plan
        self._schedule()

    def _wanted(self) -> list[tuple[str, bool]]:
        wanted = [(folder, True) for folder in self.plan.folders if os.path.isdir(folder)]
        # The root, not recursively: briefgen.yml, actors.yml, and content/templates folders appearing.
        if not any(_is_within(self.plan.root, folder) for folder, _ in wanted):
            wanted.append((self.plan.root, False))
        return wanted

    def _schedule(self) -> None:
        wanted = self._wanted()
        for key in [k for k in self._scheduled if k not in wanted]:
            self._observer.unschedule(self._scheduled.pop(key))  # type: ignore[arg-type]
        for path, recursive in wanted:
            if (path, recursive) not in self._scheduled:
                try:
                    watch = self._observer.schedule(
                        self._handler, path, recursive=recursive, event_filter=list(EVENT_TYPES)
                    )
                except OSError:  # removed between the check and the call; the next update retries
                    continue
                self._scheduled[(path, recursive)] = watch


@dataclass(frozen=True, slots=True)
class Rebuild:
    """One build the builder ran: why, and what came of it."""

    number: int
    changed: tuple[str, ...]  # source paths relative to the site root; empty for the first build
    result: BuildResult | None  # None when build_site raised
    crash: str = ""  # the traceback when build_site raised
    seconds: float = 0.0
    preview: bool = False  # only the saved articles' own pages, ahead of the full build

    def without_briefings(self) -> Rebuild:
        """This rebuild, not holding on to the site's briefings (a server keeps only what it shows)."""
        if self.result is None or not self.result.briefings:
            return self
        return dataclasses.replace(self, result=dataclasses.replace(self.result, briefings=()))

    @property
    def failed(self) -> bool:
        return self.result is None or not self.result.published or bool(self.result.errors)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return self.result.errors if self.result is not None else ()

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.result.warnings if self.result is not None else ()


class Reaper:
    """Frees a finished build's briefings on a thread of its own, a few at a time.

    Freeing 10,000 briefings at once holds the interpreter lock for about half a second: done by the builder,
    it would delay the next save; done in one go anywhere, it would stall the page requests that follow a reload.
    """

    CHUNK = 64

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[list[object]] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="briefgen-reaper", daemon=True).start()

    def drop(self, items: Iterable[object]) -> None:
        self._queue.put(list(items))

    def _run(self) -> None:
        while True:
            items = self._queue.get()
            while items:
                del items[-self.CHUNK :]
                time.sleep(0)  # let request threads run between chunks


class BuildCancelled(Exception):
    """A full build stopped because a newer change made it stale."""


class BuildProcess:
    """A child process of its own session that runs full builds one after another.

    While a build runs, the builder is free to preview the next save on another core; stopping the server kills
    the process and its workers at once, which is safe at any point (the publish is atomic). The process stays
    between builds and keeps what they read and decoded (``readers.memo.keep_read``, ``cache.keep_decoded``), so
    the next build decodes only the articles and extractions that changed; a build killed with it, or a process
    that died, is replaced at the next build. Options and results go pickled, one frame each, over its standard
    input and a pipe; what the builds print goes where this process prints. It ends when its input closes
    (:meth:`close`, or this process ending).
    """

    def __init__(self, options: dict[str, object]) -> None:
        self._options = options
        self._process: subprocess.Popen[bytes] | None = None
        self._results: BinaryIO | None = None

    @property
    def pid(self) -> int | None:
        """The process's id, while there is one that has not been let go (it may have died since)."""
        return self._process.pid if self._process is not None else None

    def start(self) -> ChildBuild:
        """Run one build (in a new process, when there is none running); its handle."""
        import pickle

        if self._process is None or self._process.poll() is not None:
            self._spawn()
        assert self._process is not None and self._process.stdin is not None and self._results is not None
        with contextlib.suppress(OSError):  # it died since: its handle reports that
            _write_frame(self._process.stdin, pickle.dumps(self._options))
        return ChildBuild(self._process, self._results)

    def _spawn(self) -> None:
        self._forget()
        read_end, write_end = os.pipe()
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p),
        }
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "from briefgen.watch import child_builds; child_builds()", str(write_end)],
                stdin=subprocess.PIPE,
                pass_fds=(write_end,),
                start_new_session=True,
                env=env,
            )
        finally:
            os.close(write_end)
        self._results = os.fdopen(read_end, "rb")

    def _forget(self) -> None:
        """Let the process go (no build of it is running): its input and its results pipe are closed."""
        if self._process is not None and self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        if self._results is not None:
            self._results.close()
        self._process = self._results = None

    def close(self, wait: float = 5.0) -> None:
        """End the process: its input closed, it leaves its loop (killed if it does not within ``wait`` seconds)."""
        process = self._process
        self._forget()
        if process is None:
            return
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            _kill_session(process)


class ChildBuild:
    """One build in a :class:`BuildProcess`: its result, or its cancellation (which ends the process)."""

    def __init__(self, process: subprocess.Popen[bytes], results: BinaryIO) -> None:
        self._process = process
        self._results = results
        self.cancelled = False

    def result(self) -> BuildResult:
        """Wait for the build; raises BuildCancelled if it was stopped, RuntimeError with its traceback if it died."""
        import pickle

        data = _read_frame(self._results)
        if data is None:  # the process ended
            self._results.close()
            code = self._process.wait()
            if self.cancelled:
                raise BuildCancelled
            raise RuntimeError(f"the build process died (exit status {code})")
        kind, value = pickle.loads(data)
        if kind == "crash":
            raise ChildCrash(value)
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        self.cancelled = True
        _kill_session(self._process)


def _kill_session(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and its workers (its session), and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class ChildCrash(Exception):
    """build_site raised in the child: the traceback, as text."""


_FRAME = struct.Struct(">Q")  # a frame: its length, then its bytes


def _write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(_FRAME.pack(len(data)) + data)
    stream.flush()


def _read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame; None at the end of the stream (or a frame cut short by it)."""
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


class KeptBetweenBuilds:
    """What a resident build process (``briefgen serve``'s, the daemon) keeps from one build for the next: what
    they read and decoded, and what they made of it (its extractions, about 520 MB at 10,000 articles, stay; the
    outlines, the actor index, the plans of the briefings' files and the actor pages, the deadlines and their
    calendar events, the records of ``briefings.json`` and the pages as Pagefind reads them are made again only for
    what changed)."""

    def __init__(self) -> None:
        from briefgen.build import keep_outlines
        from briefgen.cache import keep_decoded
        from briefgen.pipeline import keep_extractions
        from briefgen.readers.memo import keep_read
        from briefgen.render import keep_plans, keep_templates
        from briefgen.site.actors import keep_index
        from briefgen.site.deadlines import keep_deadlines
        from briefgen.site.feeds import keep_records
        from briefgen.site.ical import keep_calendar
        from briefgen.site.search import keep_copies

        self.decoded = keep_decoded()
        keep_read()
        keep_outlines()
        keep_index()
        keep_records()
        keep_templates()
        keep_plans()
        keep_deadlines()
        keep_calendar()
        keep_extractions()
        keep_copies()

    def done(self) -> None:
        """After a build whose result is gone: let go of the extractions it did not use, and have the collector
        never walk what stays (the extractions, the articles) again."""
        self.decoded.forget_unused()
        collector.freeze()


def child_builds() -> None:
    """The child's side of :class:`BuildProcess`: builds' options from stdin, each result to the pipe named on the
    command line, until stdin ends; what a build read, decoded and made of it is kept for the next
    (:class:`KeptBetweenBuilds`)."""
    import pickle

    kept = KeptBetweenBuilds()
    with os.fdopen(int(sys.argv[1]), "wb") as results:
        while (frame := _read_frame(sys.stdin.buffer)) is not None:
            result: BuildResult | None = None
            try:
                result = build_site(**pickle.loads(frame))
                outcome: tuple[str, object] = ("ok", dataclasses.replace(result, briefings=()))
            except BaseException:
                outcome = ("crash", traceback.format_exc())
            _write_frame(results, pickle.dumps(outcome))
            del result  # its briefings go once it is reported
            kept.done()


class Builder:
    """Runs builds on one thread: debounced, and coalesced while a build runs.

    With ``preview``, each save first renders the saved articles' own pages (see ``briefgen.preview``), then the
    full build runs. With ``spawn``, full builds run in a child process (:class:`BuildProcess`; ``close`` ends it
    when the builder stops), so the builder stays free: a save that arrives during one is previewed at once; the
    running build finishes (a steady stream of saves still publishes), its pages for those saves are previewed again
    before anything reloads (it built them from the older text), and one more build covers every change since.
    Without ``spawn``, ``build`` runs on the builder thread and saves during a build wait for it.
    """

    def __init__(
        self,
        build: Callable[[], BuildResult],
        on_done: Callable[[Rebuild], None],
        *,
        debounce: float = DEBOUNCE,
        show: Callable[[str], str] = str,
        preview: Callable[[tuple[str, ...], bool], BuildResult | None] | None = None,
        spawn: Callable[[], ChildBuild] | None = None,
        close: Callable[[], None] | None = None,
    ) -> None:
        self._build, self._on_done, self._debounce, self._show = build, on_done, debounce, show
        self._preview, self._spawn, self._close = preview, spawn, close
        self._pending: dict[str, None] = {}
        self._first_change = self._last_change = 0.0
        self._wanted = False
        self._stopping = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="briefgen-builder", daemon=True)
        self._reaper = Reaper()
        self._child: tuple[ChildBuild, threading.Thread] | None = None
        self._child_lock = threading.Lock()
        self._unbuilt: dict[str, None] = {}  # changes no finished full build has seen yet
        self._during: dict[str, None] = {}  # changes saved while the running child build ran
        self._again = False  # build again when the running child finishes
        self._finished: Rebuild | None = None  # a child build's outcome, for the builder thread
        self._last_full_ok = False
        self.number = 0

    def start(self) -> None:
        self._thread.start()

    def request(self, path: str | None = None) -> None:
        """Ask for a build; ``path`` is the changed source that asks (None: an explicit request)."""
        now = time.monotonic()
        with self._condition:
            if path is not None:
                self._pending[self._show(path)] = None
            if not self._wanted:
                self._first_change = now
            self._wanted = True
            self._last_change = now
            self._condition.notify()

    def stop(self, timeout: float = 0.0) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify()
        self._stop_child()
        if timeout:
            self._thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stopping

    def _next_event(self) -> tuple[str, ...] | Rebuild | None:
        """A batch of changes once quiet, or a finished child build; None when stopping."""
        with self._condition:
            while not self._stopping:
                if self._finished is not None:
                    finished, self._finished = self._finished, None
                    return finished
                if not self._wanted:
                    self._condition.wait()
                    continue
                now = time.monotonic()
                due = min(self._last_change + self._debounce, self._first_change + MAX_DELAY)
                if now < due:
                    self._condition.wait(due - now)
                    continue
                batch = tuple(self._pending)
                self._pending.clear()
                self._wanted = False
                return batch
            return None

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._stop_child()
            if self._close is not None:
                self._close()

    def _loop(self) -> None:
        while (event := self._next_event()) is not None:
            if isinstance(event, Rebuild):
                self._child_finished(event)
                continue
            self._unbuilt.update(dict.fromkeys(event))
            if event and self._preview is not None and self._last_full_ok:
                self._deliver_preview(event)
            if self._spawn is None:
                self._run_in_process(tuple(self._unbuilt))
            elif self._child is None:
                self._start_child(tuple(self._unbuilt))
            else:  # let it finish (so a steady stream of saves still publishes), then build again
                self._during.update(dict.fromkeys(event))
                self._again = True

    def _child_finished(self, rebuild: Rebuild) -> None:
        """Report a finished full build, then start the next one if saves came in while it ran."""
        with self._child_lock:
            self._child = None
        during, again = tuple(self._during), self._again
        self._during.clear()
        self._again = False
        # The build published those saves' pages as they were before; preview them again before the pages reload.
        catch_up = (
            self._preview_rebuild(during) if during and self._preview is not None and not rebuild.failed else None
        )
        if rebuild.result is not None and rebuild.result.published:
            self._unbuilt = dict.fromkeys(during)
        self._deliver(rebuild)
        if catch_up is not None:
            self._deliver(catch_up)
        if again:
            self._start_child(tuple(self._unbuilt))

    def _preview_rebuild(self, batch: tuple[str, ...]) -> Rebuild | None:
        assert self._preview is not None
        started = time.perf_counter()
        try:
            result = self._preview(batch, self._child is not None)  # our own build holds the site's lock
        except Exception:  # the full build that follows reports whatever this was
            traceback.print_exc()
            return None
        return (
            None if result is None else Rebuild(0, batch, result, seconds=time.perf_counter() - started, preview=True)
        )

    def _deliver_preview(self, batch: tuple[str, ...]) -> None:
        if (rebuild := self._preview_rebuild(batch)) is not None:
            self._deliver(rebuild)

    def _run_in_process(self, changed: tuple[str, ...]) -> None:
        started = time.perf_counter()
        try:
            rebuild = Rebuild(0, changed, self._build(), seconds=time.perf_counter() - started)
        except Exception:
            rebuild = Rebuild(0, changed, None, traceback.format_exc(), time.perf_counter() - started)
        self._unbuilt.clear()
        self._deliver(rebuild)
        self._reaper.drop(rebuild.result.briefings if rebuild.result else ())
        del rebuild

    def _start_child(self, changed: tuple[str, ...]) -> None:
        assert self._spawn is not None
        started = time.perf_counter()

        def wait(child: ChildBuild) -> None:
            try:
                rebuild = Rebuild(0, changed, child.result(), seconds=time.perf_counter() - started)
            except BuildCancelled:
                return
            except ChildCrash as exc:
                rebuild = Rebuild(0, changed, None, str(exc), time.perf_counter() - started)
            except Exception:
                rebuild = Rebuild(0, changed, None, traceback.format_exc(), time.perf_counter() - started)
            with self._condition:
                self._finished = rebuild
                self._condition.notify()

        with self._child_lock:
            if self._stopping:
                return
            child = self._spawn()
            waiter = threading.Thread(target=wait, args=(child,), name="briefgen-build-waiter", daemon=True)
            waiter.start()
            self._child = (child, waiter)

    def _stop_child(self) -> None:
        with self._child_lock:
            current, self._child = self._child, None
        if current is not None:
            child, waiter = current
            child.cancel()
            if waiter.ident is not None and waiter is not threading.current_thread():
                waiter.join()

    def _deliver(self, rebuild: Rebuild) -> None:
        """Number the rebuild and report it (on the builder thread only: reports never interleave)."""
        self.number += 1
        rebuild = dataclasses.replace(rebuild, number=self.number)
        if not rebuild.preview:
            self._last_full_ok = not rebuild.failed
        try:
            self._on_done(rebuild)
        except Exception:
            traceback.print_exc()


def describe_changes(changed: tuple[str, ...]) -> str:
    if not changed:
        return "first build"
    more = f" (+{len(changed) - 1} more)" if len(changed) > 1 else ""
    return f"{changed[0]}{more} changed"


def describe_rebuild(rebuild: Rebuild) -> str:
    """One line: when, what changed, the result, how long."""
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    head = f"[{stamp}] {describe_changes(rebuild.changed)} → "
    result = rebuild.result
    if result is None:
        last = rebuild.crash.strip().splitlines()[-1] if rebuild.crash.strip() else "unknown error"
        return f"{head}build CRASHED: {last} ({rebuild.seconds:.2f} s)"
    state = "NOT published" if not result.published else "built with errors" if result.errors else "built"
    if result.up_to_date:
        state = "up to date"
    if rebuild.preview:
        if not result.published:
            state = "NOT previewed"
        else:
            pages = f"{result.stats.written} files changed" if result.stats is not None else "previewed"
            return f"{head}preview: {pages} in {rebuild.seconds:.2f} s; the full build follows"
    extracted = f" ({result.extracted} extracted)" if result.extracted else ""
    files = ""
    if result.stats is not None:
        files = f", {result.stats.written + result.stats.removed} files changed"
    return (
        f"{head}{state}: {result.articles} articles{extracted}{files}, {len(result.errors)} errors, "
        f"{len(result.warnings)} warnings in {rebuild.seconds:.2f} s"
    )


class Reporter:
    """Prints one line per rebuild, then its errors, and warnings the previous build did not have."""

    def __init__(self, *, quiet: bool, strict: bool) -> None:
        self.quiet, self.strict = quiet, strict
        self._seen: set[Problem] = set()

    def __call__(self, rebuild: Rebuild) -> None:
        print(describe_rebuild(rebuild), flush=True)
        if rebuild.result is None:
            print(rebuild.crash, file=sys.stderr, end="", flush=True)
            return
        for problem in rebuild.result.problems:
            if problem.level == "error" or self.strict or (not self.quiet and problem not in self._seen):
                print(f"  {problem}", file=sys.stderr, flush=True)
        self._seen = set(rebuild.result.problems)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Ctrl-C and ``kill`` both stop a watch, even when started from a shell that ignores SIGINT (``cmd &``).

    Only the main thread can install handlers; elsewhere (tests) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def wait_forever() -> None:
    """Sleep in short waits, so Ctrl-C is seen at once."""
    idle = threading.Event()
    while not idle.wait(0.5):
        pass


def warm_extraction() -> None:
    """Load the language model after the first build (on the builder thread), so the first save is not slow.

    Then freeze what is alive (the model's objects, mostly): a long-lived process that loaded spaCy would
    otherwise have the garbage collector walk those objects again and again during every rebuild.
    """
    try:
        from briefgen.nlp import load_nlp

        load_nlp()
    except Exception:
        return  # only an optimisation: the build that needs the model reports any real problem
    gc.collect()
    collector.freeze()


@dataclass
class Watch:
    """A running watcher and builder for one site; ``close`` stops both."""

    plan: WatchPlan
    watcher: SourceWatcher
    builder: Builder

    def close(self, wait: float = 0.0) -> None:
        """Stop watching; wait up to ``wait`` seconds for a build in progress (an interrupted one is safe)."""
        self.watcher.stop()
        self.builder.stop(timeout=wait)


def start_watch(
    root: Path,
    on_done: Callable[[Rebuild], None],
    *,
    out: Path | None = None,
    drafts: bool = False,
    strict: bool = False,
    jobs: int = 0,
    search: bool = True,
    debounce: float = DEBOUNCE,
    warm: bool = True,
    isolate: bool = True,
    preview: bool = True,
    open_pages: Callable[[], Collection[str]] = frozenset,
) -> Watch:
    """Watch the site at ``root``; build once now, then after every change.

    With ``preview``, each save of an existing article is first previewed (its own pages, in a fraction of a
    second); the full incremental build follows — in a child process (``isolate``), or on the builder thread.
    ``open_pages`` tells which output pages are open in a browser: a template save re-renders those first.
    ``on_done`` runs on a thread of the builder's, one call at a time.
    """
    from briefgen.preview import QuickPreview

    plan = plan_watch(root, out)
    options: dict[str, object] = {"out": out, "drafts": drafts, "strict": strict, "jobs": jobs, "search": search}

    def build() -> BuildResult:
        return build_site(root, **options)  # type: ignore[arg-type]

    builds = BuildProcess({"root": root, **options, "release_model": True})

    def done(rebuild: Rebuild) -> None:
        try:
            on_done(rebuild)
        finally:
            watch.watcher.update(plan_watch(root, out))  # folders created since, or a changed briefgen.yml
        if not rebuild.preview and rebuild.result is not None and rebuild.result.output_refused:
            await_output(root, out, builder, looking)
        if rebuild.number == 1 and warm:
            warm_extraction()
        if warm and preview and not rebuild.preview and not rebuild.failed:
            with contextlib.suppress(Exception):  # only an optimisation
                quick.warm()

    quick = QuickPreview(root, out=out, drafts=drafts)
    looking = threading.Lock()  # a thread looks at a refused output folder (``await_output``)
    builder = Builder(
        build,
        done,
        debounce=debounce,
        show=plan.show,
        # --strict publishes nothing with warnings: the full build decides
        preview=(lambda batch, building: quick(batch, open_pages(), building)) if preview and not strict else None,
        spawn=builds.start if isolate else None,
        close=builds.close,
    )
    watcher = SourceWatcher(plan, builder.request)
    watch = Watch(plan, watcher, builder)
    watcher.start()  # before the first build, so a save during it is not missed
    builder.start()
    builder.request()
    return watch


def await_output(root: Path, out: Path | None, builder: Builder, looking: threading.Lock) -> None:
    """After a build refused because the output folder holds what briefgen did not write (the author's notes, files
    copied in by hand), which no watched source tells of, look at that folder every ``OUTPUT_POLL`` seconds and ask
    ``builder`` for a build once it may be replaced (the author moved them away): the error page goes by itself.

    The refused build says the folder was refused, not a look taken now: the author may have cleared it the moment
    the error page showed, and then the build is asked for at once. ``looking`` is held while a look goes on, so a
    refused build during it starts no other.
    """
    from briefgen.build import output_problems

    if not looking.acquire(blocking=False):
        return
    folder = os.path.abspath(load_build_config(root, out)[0].output_path)

    def refused() -> bool:
        config, problems = load_build_config(root, out)  # again each time: briefgen.yml may move the folder
        if any(p.level == "error" for p in problems):
            return False  # a broken briefgen.yml: the build asked for now reports it
        return bool(output_problems(config, out))

    def look() -> None:
        try:
            while not builder.stopping and refused():
                time.sleep(OUTPUT_POLL)
        finally:
            looking.release()
        if not builder.stopping:
            builder.request(folder)

    threading.Thread(target=look, name="briefgen-output-watch", daemon=True).start()


def run_watch(args: argparse.Namespace) -> int:
    """``briefgen build --watch``: build, then rebuild on every change until Ctrl-C."""
    missing = site_folder_problem(args.site)
    if missing is not None:
        print(missing, file=sys.stderr)
        return 1
    plan = plan_watch(args.site, args.out)
    shown = ", ".join([*(f"{plan.show(f)}/" for f in plan.folders), *SOURCE_FILES])
    print(f"briefgen: watching {shown} (Ctrl-C to stop)", flush=True)
    reporter = Reporter(quiet=args.quiet, strict=args.strict)
    with sigterm_as_interrupt():
        watch = start_watch(  # no preview: the site is published for readers, each build whole and atomic
            args.site,
            reporter,
            out=args.out,
            drafts=args.drafts,
            strict=args.strict,
            jobs=args.jobs or 0,
            search=not args.no_search,
            preview=False,
        )
        try:
            wait_forever()
        except KeyboardInterrupt:
            pass
        finally:
            watch.close()
    print("briefgen: stopped watching", flush=True)
    return 0
