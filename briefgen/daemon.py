"""``briefgen daemon``: a build process that stays, so a ``briefgen build`` of the site needs no new one.

A one-shot build starts from nothing: it imports spaCy and loads its model to extract an edited article (about
1.5 s, at any size), and it makes the whole site model again from the cache (the decoded extractions, the actor
index: seconds at 10,000 articles). A daemon, started by ``briefgen daemon start`` for one site, keeps both, as
``briefgen serve``'s build process does, and as Gradle's daemon and mypy's ``dmypy`` do for their builds:
``briefgen build`` finds it, hands it the build and prints what it reports. The output is what a one-shot build
writes, byte for byte (``build_site`` makes both).

The daemon listens on 127.0.0.1 at a port of its own choosing and writes where, with a secret token, to
``.briefgen/daemon.json`` (readable by its owner only); a request without the token is refused. Requests are JSON,
never pickles; a build's progress is told to the client as it goes (its progress bar, on a terminal), and what the
build printed comes back in the order it printed it. It builds one request at a time (the site's lock orders it
with other builds), leaves when told (``briefgen daemon stop``), after ``--idle-timeout`` minutes without a build,
or at its first request after briefgen's own code changed (its modules in memory would be stale: that request is
built by the client). A client that cannot reach it builds in its own process, and removes a record whose daemon
is gone.
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import io
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from briefgen.progress import ProgressBar

RECORD_NAME = "daemon.json"
LOG_NAME = "daemon.log"
IDLE_TIMEOUT = 180.0  # minutes without a build before the daemon leaves (Gradle's: three hours)
START_TIMEOUT = 120.0  # seconds to wait for a started daemon to listen (it loads the language model first)
CONNECT_TIMEOUT = 2.0
REQUEST_TIMEOUT = 10.0  # seconds for a connected client to send its request
PROGRESS_EVERY = 0.2  # seconds between a build's progress reports to its client
_FRAME = struct.Struct(">I")
MAX_REQUEST = 1 << 20  # bytes: a request is a few options
BUILD_OPTIONS = ("out", "drafts", "strict", "quiet", "jobs", "scheduler", "search", "gc")


@dataclass(frozen=True, slots=True)
class DaemonRecord:
    """Where a site's daemon listens, and the token its requests must carry."""

    pid: int
    port: int
    token: str
    root: str


def record_path(root: Path) -> Path:
    return root / ".briefgen" / RECORD_NAME  # ``config.records_path``, whose module a client need not import


def read_record(root: Path) -> DaemonRecord | None:
    """The site's daemon record; None when there is none (or it is not one: a record is only ever written whole)."""
    try:
        data = json.loads(record_path(root).read_text(encoding="utf-8"))
        return DaemonRecord(int(data["pid"]), int(data["port"]), str(data["token"]), str(data["root"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_record(root: Path, record: DaemonRecord) -> None:
    path = record_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{RECORD_NAME}.{os.getpid()}")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"pid": record.pid, "port": record.port, "token": record.token, "root": record.root}, handle)
    os.replace(staged, path)


def _remove_record(root: Path, pid: int) -> None:
    """Remove the record if it is still the daemon ``pid``'s (a newer daemon may have replaced it)."""
    record = read_record(root)
    if record is not None and record.pid == pid:
        with contextlib.suppress(FileNotFoundError):
            record_path(root).unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ------------------------------------------------------------------ the wire: one JSON value per frame


def _send(connection: socket.socket, value: object) -> None:
    data = json.dumps(value).encode()
    connection.sendall(_FRAME.pack(len(data)) + data)


def _receive(connection: socket.socket, most: int | None = None) -> object | None:
    """The next JSON value; None when the peer closed first (or sent more than ``most`` bytes)."""
    head = _exactly(connection, _FRAME.size)
    if head is None:
        return None
    (size,) = _FRAME.unpack(head)
    if most is not None and size > most:
        return None
    data = _exactly(connection, size)
    return None if data is None else json.loads(data)


def _exactly(connection: socket.socket, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = connection.recv(min(size, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# ------------------------------------------------------------------ the client


class DaemonGone(Exception):
    """The record names a daemon that does not answer."""


def request(
    root: Path,
    message: dict[str, object],
    record: DaemonRecord | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, object]:
    """Send ``message`` to the site's daemon and wait for its answer; DaemonGone when it cannot be reached (its
    record, if its process is gone, is removed). A build's progress reports (articles done, of how many) go to
    ``progress`` as they come."""
    record = record or read_record(root)
    if record is None:
        raise DaemonGone
    try:
        connection = socket.create_connection(("127.0.0.1", record.port), timeout=CONNECT_TIMEOUT)
    except OSError:
        if not _alive(record.pid):
            _remove_record(root, record.pid)
        raise DaemonGone from None
    with connection:
        connection.settimeout(None)  # a build takes as long as it takes
        try:
            _send(connection, {**message, "token": record.token})
            answer = _receive(connection)
            while isinstance(answer, dict) and isinstance(done := answer.get("progress"), list):
                if progress is not None:
                    progress(*done)
                answer = _receive(connection)
        except OSError:
            answer = None
    if not isinstance(answer, dict):
        raise DaemonGone
    return answer


def build_in_daemon(args: argparse.Namespace) -> int | None:
    """``briefgen build`` by the site's daemon, when it has one that answers: the build's exit status, with what it
    reported printed here; None when this process must build (no daemon, or one that left: its code changed)."""
    root = args.site.absolute()
    record = read_record(root)
    if record is None:
        return None
    options = {
        "out": str(args.out.absolute()) if args.out is not None else None,
        "drafts": args.drafts,
        "strict": args.strict,
        "quiet": args.quiet,
        "jobs": args.jobs,
        "scheduler": args.scheduler,
        "search": not args.no_search,
        "gc": args.gc,
    }
    try:
        answer = request(root, {"op": "build", "options": options}, record, ProgressBar(not args.quiet))
    except DaemonGone:
        print(f"briefgen: the daemon of {root} (pid {record.pid}) did not answer; building here", file=sys.stderr)
        return None
    except KeyboardInterrupt:
        print("briefgen: interrupted; the daemon finishes the build it started", file=sys.stderr)
        return 130
    if answer.get("stale"):
        print("briefgen: briefgen's code changed since the daemon started; it has left, building here", file=sys.stderr)
        return None
    if "error" in answer:
        print(f"briefgen: the daemon of {root}: {answer['error']}; building here", file=sys.stderr)
        return None
    output = answer.get("output")
    for stream, text in output if isinstance(output, list) else []:  # in the order the build wrote them
        to = sys.stderr if stream == "err" else sys.stdout
        to.write(text)
        to.flush()
    if not args.quiet:
        print(f"briefgen: (the build ran in the daemon, pid {record.pid})")
    return int(answer.get("code", 2))  # type: ignore[call-overload]


# ------------------------------------------------------------------ the daemon


class _Daemon:
    """The daemon's state: its site, its token, the code it started with, and what its builds keep."""

    def __init__(self, root: Path, jobs: int) -> None:
        from briefgen.digest import code_fingerprint
        from briefgen.pipeline import keep_model
        from briefgen.watch import KeptBetweenBuilds, warm_extraction

        self.root = root
        self.jobs = jobs
        self.token = secrets.token_hex(16)
        self.code = code_fingerprint()
        self.kept = KeptBetweenBuilds()
        self.cold = True
        keep_model()  # an edited article is extracted here, by the loaded model, not aside in a worker
        warm_extraction()  # (the model loaded) the collector frozen

    def answer(self, message: object, tell: Callable[[object], None]) -> tuple[dict[str, object], bool]:
        """The answer to ``message``, and whether to leave after sending it; ``tell`` sends the client a build's
        progress before it."""
        if not isinstance(message, dict) or not hmac.compare_digest(str(message.get("token", "")), self.token):
            return {"error": "refused: not this daemon's token"}, False
        op = message.get("op")
        if op == "status":
            return {"pid": os.getpid(), "root": str(self.root)}, False
        if op == "stop":
            return {"stopped": os.getpid()}, True
        if op == "build":
            if self._code_changed():
                return {"stale": True}, True
            options = message.get("options")
            return self._build(options if isinstance(options, dict) else {}, tell), False
        return {"error": f"unknown request {op!r}"}, False

    def _code_changed(self) -> bool:
        from briefgen.digest import code_fingerprint

        return code_fingerprint.__wrapped__() != self.code

    def _build(self, options: dict[str, object], tell: Callable[[object], None]) -> dict[str, object]:
        from briefgen.build import build_site, guarded, report

        out = options.get("out")
        strict, quiet = bool(options.get("strict")), bool(options.get("quiet"))
        jobs = options.get("jobs")

        def run() -> int:
            result = build_site(
                self.root,
                out=Path(out) if isinstance(out, str) else None,
                drafts=bool(options.get("drafts")),
                strict=strict,
                jobs=jobs if isinstance(jobs, int) and jobs > 0 else self.jobs,
                scheduler=str(options["scheduler"]) if options.get("scheduler") else None,
                search=bool(options.get("search", True)),
                gc=bool(options.get("gc")),
                warm=self.cold,  # the first fills what the daemon keeps, even if the site is up to date
                progress=_Progress(tell),
            )
            self.cold = self.cold and not result.published
            try:
                return report(result, strict=strict, quiet=quiet)
            finally:
                del result

        written: list[tuple[str, str]] = []
        with contextlib.redirect_stdout(_Written("out", written)), contextlib.redirect_stderr(_Written("err", written)):
            code = guarded(run)
        self.kept.done()
        return {"code": code, "output": written}


class _Written(io.TextIOBase):
    """A stream that keeps what is written to it, in order with the other's: a build's stdout and stderr go to
    the client as the build wrote them (problems, then the summary)."""

    def __init__(self, name: str, written: list[tuple[str, str]]) -> None:
        self.name, self.written = name, written

    def write(self, text: str) -> int:
        self.written.append((self.name, text))
        return len(text)


class _Progress:
    """A build's progress, told to its client at most every ``PROGRESS_EVERY`` seconds (and when done); a client
    that went is told nothing more."""

    def __init__(self, tell: Callable[[object], None]) -> None:
        self.tell = tell
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        self.tell({"progress": [done, total]})


def run_daemon(root: Path, jobs: int = 0, idle_minutes: float = IDLE_TIMEOUT) -> int:
    """The daemon itself, in this process, until stopped; ``briefgen daemon run``."""
    from briefgen.watch import sigterm_as_interrupt

    root = root.absolute()
    if read_record(root) is not None and _answers(root):
        print(f"briefgen: {root} has a daemon already", file=sys.stderr)
        return 1
    daemon = _Daemon(root, jobs)
    with socket.create_server(("127.0.0.1", 0)) as server, sigterm_as_interrupt():
        server.settimeout(idle_minutes * 60 if idle_minutes > 0 else None)
        _write_record(root, DaemonRecord(os.getpid(), server.getsockname()[1], daemon.token, str(root)))
        print(f"briefgen: daemon of {root} listening (pid {os.getpid()})", flush=True)
        try:
            while True:
                try:
                    connection, _ = server.accept()
                except TimeoutError:
                    print(f"briefgen: no build for {idle_minutes:g} minutes; the daemon leaves", flush=True)
                    break
                with connection:
                    connection.settimeout(REQUEST_TIMEOUT)  # a client that connects and says nothing is let go
                    try:
                        message = _receive(connection, MAX_REQUEST)
                    except (OSError, ValueError):
                        continue
                    connection.settimeout(None)
                    answer, leave = daemon.answer(message, _teller(connection))
                    with contextlib.suppress(OSError):  # the client went (Ctrl-C): the build is done anyway
                        _send(connection, answer)
                if leave:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            _remove_record(root, os.getpid())
    return 0


def _teller(connection: socket.socket) -> Callable[[object], None]:
    """Send a value to the client, until sending fails (it went: Ctrl-C); the build goes on."""
    gone: list[bool] = []

    def tell(value: object) -> None:
        if gone:
            return
        try:
            _send(connection, value)
        except OSError:
            gone.append(True)

    return tell


def _answers(root: Path) -> bool:
    with contextlib.suppress(DaemonGone):
        request(root, {"op": "status"})
        return True
    return False


# ------------------------------------------------------------------ ``briefgen daemon start|stop|status``


def start_daemon(root: Path, jobs: int = 0, idle_minutes: float = IDLE_TIMEOUT) -> int:
    """Start the site's daemon in the background (its output goes to ``.briefgen/daemon.log``) and wait until it
    listens; then build the site in it, as ``briefgen build`` would, and return that build's exit status."""
    root = root.absolute()
    if not (root / "briefgen.yml").is_file() and not (root / "content").is_dir():
        print(f"briefgen: error: {root} is not a site folder (no briefgen.yml or content/)", file=sys.stderr)
        return 1
    record = read_record(root)
    if record is not None and _answers(root):
        print(f"briefgen: {root} has a daemon already (pid {record.pid})")
        return 0
    log = record_path(root).with_name(LOG_NAME)
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "briefgen", "daemon", "run", str(root), "--jobs", str(jobs)]
    command += ["--idle-timeout", f"{idle_minutes:g}"]
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p)}
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True, env=env
        )
    deadline = time.monotonic() + START_TIMEOUT
    while (record := read_record(root)) is None or record.pid != process.pid:
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                process.kill()
            print(f"briefgen: error: the daemon did not start; see {log}", file=sys.stderr)
            return 1
        time.sleep(0.05)
    print(f"briefgen: daemon of {root} started (pid {record.pid}); `briefgen build` there now builds in it")
    print("briefgen: building the site in it (articles not in the extraction cache are extracted first)", flush=True)
    defaults = {"out": None, "drafts": False, "strict": False, "quiet": False, "scheduler": None, "gc": False}
    args = argparse.Namespace(site=root, jobs=jobs, no_search=False, **defaults)
    code = build_in_daemon(args)
    return 1 if code is None else code


def stop_daemon(root: Path) -> int:
    root = root.absolute()
    record = read_record(root)
    if record is None:
        print(f"briefgen: {root} has no daemon")
        return 0
    try:
        request(root, {"op": "stop"}, record)
    except DaemonGone:
        print(f"briefgen: the daemon of {root} was gone")
        return 0
    for _ in _waiting(10.0):
        if not _alive(record.pid):
            break
    else:
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, signal.SIGTERM)
    print(f"briefgen: daemon of {root} stopped (pid {record.pid})")
    return 0


def daemon_status(root: Path) -> int:
    """0 when the site has a daemon that answers (its pid printed), 1 when not."""
    root = root.absolute()
    record = read_record(root)
    if record is not None and _answers(root):
        print(f"briefgen: daemon of {root} running (pid {record.pid}, port {record.port})")
        return 0
    print(f"briefgen: {root} has no daemon")
    return 1


def _waiting(seconds: float) -> Iterator[None]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        yield
        time.sleep(0.05)


def run_daemon_command(args: argparse.Namespace) -> int:
    if args.action == "start":
        return start_daemon(args.site, args.jobs, args.idle_timeout)
    if args.action == "stop":
        return stop_daemon(args.site)
    if args.action == "status":
        return daemon_status(args.site)
    return run_daemon(args.site, args.jobs, args.idle_timeout)
