"""``briefgen daemon``: a resident build process that ``briefgen build`` hands its builds to; real processes, a
real socket on 127.0.0.1, the real pipeline."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.daemon import read_record, record_path, request
from tests.helpers import REPO, SEED, article, clean_build_of, make_site, tree_bytes

BODY = "Maria Okafor, the union's general secretary, said the strike would begin on Friday."


def briefgen(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "briefgen", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, check=False, timeout=300)


def _gone(pid: int, within: float = 15.0) -> bool:
    """Whether process ``pid`` ends within ``within`` seconds (a zombie nobody reaps has ended)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if re.search(r"^State:\s+Z", status, re.MULTILINE):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    """A two-article site; any daemon a test leaves running for it is ended."""
    root = make_site(
        tmp_path / "site",
        {
            "content/strike.md": article("Strike", "2025-08-11", BODY),
            "content/seed.txt": SEED.read_text(encoding="utf-8"),
        },
    )
    yield root
    record = read_record(root)
    if record is not None:  # a test that failed left it
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, signal.SIGKILL)


def started(root: Path, *args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> int:
    run = briefgen("daemon", "start", str(root), "--jobs", "1", *args, cwd=cwd, env=env)
    assert run.returncode == 0, run.stderr
    match = re.search(r"daemon of .* started \(pid (\d+)\)", run.stdout)
    assert match, run.stdout
    assert "briefgen: built: 2 articles" in run.stdout  # the start builds the site, in the daemon
    return int(match.group(1))


def test_a_build_goes_to_the_daemon_and_publishes_what_a_build_here_publishes(site: Path, tmp_path: Path) -> None:
    pid = started(site)
    assert briefgen("daemon", "status", str(site)).returncode == 0
    assert oct(record_path(site).stat().st_mode & 0o777) == "0o600"  # its token is its owner's only

    with (site / "content" / "strike.md").open("a", encoding="utf-8") as handle:
        handle.write("\nThe port authority said it would respond by Monday.\n")
    run = briefgen("build", str(site))
    assert run.returncode == 0, run.stderr
    assert "briefgen: 1 article extracted, 1 from the cache" in run.stdout
    assert f"briefgen: (the build ran in the daemon, pid {pid})" in run.stdout
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")

    # errors reach the client, with the exit status
    (site / "content" / "bad.md").write_text("---\ntitle: [oops\n---\nText.\n", encoding="utf-8")
    run = briefgen("build", str(site))
    assert run.returncode == 1
    assert "content/bad.md:3: error: invalid YAML front matter" in run.stderr
    assert "ran in the daemon" in run.stdout

    # --no-daemon builds here
    (site / "content" / "bad.md").unlink()
    run = briefgen("build", str(site), "--no-daemon", "--jobs", "1")
    assert run.returncode == 0 and "daemon" not in run.stdout

    stop = briefgen("daemon", "stop", str(site))
    assert stop.returncode == 0 and f"stopped (pid {pid})" in stop.stdout
    assert _gone(pid)
    assert not record_path(site).exists()
    assert briefgen("daemon", "status", str(site)).returncode == 1


def test_a_daemon_that_does_not_answer_is_forgotten_and_the_build_runs_here(site: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed below: nothing listens there
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    record = {"pid": int(dead.stdout), "port": port, "token": "0" * 32, "root": str(site)}
    record_path(site).parent.mkdir(parents=True, exist_ok=True)
    record_path(site).write_text(json.dumps(record), encoding="utf-8")
    run = briefgen("build", str(site), "--jobs", "1")
    assert run.returncode == 0, run.stderr
    assert "did not answer; building here" in run.stderr
    assert "briefgen: built: 2 articles" in run.stdout
    assert not record_path(site).exists()
    assert (site / "site" / "index.html").is_file()


def test_the_daemon_refuses_a_request_without_its_token(site: Path) -> None:
    pid = started(site)
    record = read_record(site)
    assert record is not None
    for token in ("", "f" * 32):
        with socket.create_connection(("127.0.0.1", record.port), timeout=10) as connection:
            data = json.dumps({"op": "stop", "token": token}).encode()
            connection.sendall(struct.pack(">I", len(data)) + data)
            size = struct.unpack(">I", connection.recv(4))[0]
            answer = json.loads(connection.recv(size))
        assert answer == {"error": "refused: not this daemon's token"}
    assert briefgen("daemon", "status", str(site)).returncode == 0  # still there
    assert briefgen("daemon", "stop", str(site)).returncode == 0
    assert _gone(pid)


def test_a_daemon_whose_code_changed_leaves_and_the_build_runs_here(site: Path, tmp_path: Path) -> None:
    """Its modules in memory are not briefgen's code any more: it must not build with them."""
    code = tmp_path / "code"
    shutil.copytree(REPO / "briefgen", code / "briefgen", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(code)}
    pid = started(site, cwd=code, env=env)
    with (code / "briefgen" / "text.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# an upgrade\n")
    (site / "content" / "later.md").write_text(article("Later", "2025-08-12", BODY), encoding="utf-8")
    run = briefgen("build", str(site), "--jobs", "1", cwd=code, env=env)
    assert run.returncode == 0, run.stderr
    assert "code changed since the daemon started" in run.stderr
    assert "briefgen: built: 3 articles" in run.stdout and "ran in the daemon" not in run.stdout
    assert _gone(pid)
    assert not record_path(site).exists()


def test_an_idle_daemon_leaves(site: Path) -> None:
    pid = started(site, "--idle-timeout", "0.02")  # 1.2 s
    assert _gone(pid, within=30)
    assert not record_path(site).exists()
    assert "no build for 0.02 minutes; the daemon leaves" in (site / ".briefgen" / "daemon.log").read_text()


def test_a_warm_build_of_an_up_to_date_site_goes_through_and_keeps_every_page(site: Path) -> None:
    """The daemon's first build (``build_site(warm=True)``) reads, extracts and composes the site even when it is up to
    date, for the daemon to keep; it rewrites nothing."""
    assert build_site(site, jobs=1).published
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "site").rglob("*") if p.is_file()}
    assert build_site(site, jobs=1).up_to_date
    result = build_site(site, jobs=1, warm=True)
    assert result.published and not result.up_to_date
    assert result.stats is not None and result.stats.written == 0 and result.stats.removed == 0
    assert len(result.briefings) == 2
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "site").rglob("*") if p.is_file()}
    assert after == before


def test_the_client_is_told_a_builds_progress(site: Path) -> None:
    """``briefgen build`` shows its progress bar on a terminal for a build in the daemon too (``request(progress=)``):
    the daemon tells the client how many articles are done as it extracts them."""
    pid = started(site)
    for day in (12, 13):
        text = article(f"Day {day}", f"2025-08-{day}", f"On day {day} the minister said talks would resume on Friday.")
        (site / "content" / f"day-{day}.md").write_text(text, encoding="utf-8")
    told: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        told.append((done, total))

    answer = request(site, {"op": "build", "options": {"jobs": 1}}, progress=progress)
    assert answer["code"] == 0 and "2 articles extracted, 2 from the cache" in str(answer["output"])
    assert told and told[-1] == (4, 4) and all(total == 4 for _, total in told)
    assert briefgen("daemon", "stop", str(site)).returncode == 0
    assert _gone(pid)
