"""Work spread over forked worker processes, results in order: the briefings' pages at render time.

The workers are forked from the build, so they inherit everything it holds (the briefings, the actor index, the
Jinja environment) copy-on-write, and the function they run may be a closure: only small tasks go to them and
their results come back, pickled, over one pipe each. :class:`ForkPool` forks once; :meth:`ForkPool.ordered`
hands out tasks as workers free up (a bounded window of them ahead of the consumer) and yields the results in
the tasks' order. Forking a process that runs other threads is unsafe (a lock held by one of them stays held in
the child forever), so :func:`can_fork` says no then, and callers work in-process instead.

A task that raises in a worker raises the same exception in the parent (its worker traceback as a note); a
worker that dies fails the run with :class:`WorkerDied` instead of waiting for it; the workers ignore Ctrl-C
(the parent ends them) and die with the parent (Linux's parent-death signal, or a watchdog thread elsewhere).

Copy-on-write is only as good as what the workers leave untouched: reading an object writes its reference count,
so every page a worker reads becomes its own. Measured at 10,000 articles with two workers: each peaked at some
510 MB of private memory (RSS 815-855 MB, most of it shared) beside the parent's 840 MB; the collector stays off
in them (``gc.freeze`` too), so it does not add to that.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PER_WORKER = 2  # tasks a worker holds at once: the next one is there when it sends a result
STOP = b""  # the message that ends a worker


class WorkerDied(RuntimeError):
    """A worker process ended without finishing its tasks (killed, out of memory, a crash in C)."""


def can_fork() -> bool:
    """Whether worker processes can be forked from here: the platform forks, and this process runs one thread."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class ForkPool(Generic[T, R]):
    """``jobs`` forked processes running ``work`` on tasks; a context manager that ends them on leaving.

    Leaving normally stops the workers once they are idle; leaving on an exception (or Ctrl-C) kills them.
    ``nesting``: the workers may fork pools of their own. They are then not ``multiprocessing`` daemons (which may
    not have children), and are ended as the others are: by leaving the pool, or by their parent's end.
    """

    def __init__(self, work: Callable[[T], R], jobs: int, *, nesting: bool = False) -> None:
        context = multiprocessing.get_context("fork")
        self.tasks: list[Connection] = []
        self.results: list[Connection] = []
        self.processes: list[BaseProcess] = []
        parent = os.getpid()
        try:
            for _ in range(jobs):
                task_out, task_in = context.Pipe(duplex=False)  # (receiving end, sending end)
                result_out, result_in = context.Pipe(duplex=False)
                process = context.Process(
                    target=_serve,
                    args=(work, task_out, result_in, parent),
                    name="briefgen-render",
                    daemon=not nesting,  # a daemon is ended by multiprocessing at the parent's exit, at the latest
                )
                process.start()
                task_out.close()
                result_in.close()
                self.tasks.append(task_in)
                self.results.append(result_out)
                self.processes.append(process)
        except BaseException:
            self.kill()
            raise

    def __enter__(self) -> ForkPool[T, R]:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self.stop()
        else:
            self.kill()

    def ordered(self, tasks: Iterable[T], window: int) -> Ordered[T, R]:
        """The results of ``tasks`` in their order, at most ``window`` tasks ahead of the one yielded last."""
        return Ordered(self, tasks, max(window, PER_WORKER * len(self.processes)))

    def stop(self) -> None:
        """End the workers when they have sent their results (they are idle then): they are told, and waited for."""
        for conn in self.tasks:
            with contextlib.suppress(OSError):
                conn.send_bytes(STOP)
        for process in self.processes:
            process.join(timeout=5)
        self.kill()

    def kill(self) -> None:
        """End every worker at once and reap it."""
        for process in self.processes:
            if process.is_alive():
                with contextlib.suppress(OSError):
                    process.kill()
        for process in self.processes:
            with contextlib.suppress(AssertionError):  # never started
                process.join()
        for conn in (*self.tasks, *self.results):
            conn.close()
        self.processes, self.tasks, self.results = [], [], []


class Ordered(Generic[T, R]):
    """The iterator of :meth:`ForkPool.ordered`; it sends the first tasks at once, so the workers start before
    the consumer asks. :meth:`poll` takes in what is ready and sends more, without waiting."""

    def __init__(self, pool: ForkPool[T, R], tasks: Iterable[T], window: int) -> None:
        self.pool, self.tasks, self.window = pool, iter(tasks), window
        self.sent = self.yielded = 0  # sequence numbers: tasks sent so far, results yielded so far
        self.exhausted = False
        self.load = [0] * len(pool.processes)  # tasks each worker holds
        self.done: dict[int, R] = {}
        self._send()

    def __iter__(self) -> Ordered[T, R]:
        return self

    def __next__(self) -> R:
        self._receive(timeout=0)
        self._send()
        while self.yielded not in self.done:
            if self.exhausted and self.yielded == self.sent:
                raise StopIteration
            self._receive(timeout=None)
            self._send()
        result = self.done.pop(self.yielded)
        self.yielded += 1
        return result

    def poll(self) -> None:
        """Take the results that are ready and hand out tasks for them, without waiting."""
        self._receive(timeout=0)
        self._send()

    def _send(self) -> None:
        while not self.exhausted and self.sent - self.yielded < self.window:
            worker = min(range(len(self.load)), key=self.load.__getitem__)
            if self.load[worker] >= PER_WORKER:
                return
            try:
                task = next(self.tasks)
            except StopIteration:
                self.exhausted = True
                return
            try:
                self.pool.tasks[worker].send_bytes(pickle.dumps((self.sent, task), pickle.HIGHEST_PROTOCOL))
            except OSError as exc:  # a broken pipe: the worker is gone
                self._died(worker, exc)
            self.load[worker] += 1
            self.sent += 1

    def _receive(self, timeout: float | None) -> None:
        """Take every result that is ready (waiting up to ``timeout`` for one); a worker that died is an error."""
        pool = self.pool
        busy = [i for i, load in enumerate(self.load) if load]
        if not busy:
            return
        watched: list[object] = [pool.results[i] for i in busy] + [pool.processes[i].sentinel for i in busy]
        ready = multiprocessing.connection.wait(watched, timeout)
        for i in busy:
            conn, process = pool.results[i], pool.processes[i]
            while self.load[i] and conn.poll():
                try:
                    data = conn.recv_bytes()
                except EOFError:  # it closed its end: it is gone
                    break
                self._take(pickle.loads(data))
                self.load[i] -= 1
            else:
                if not (self.load[i] and process.sentinel in ready):
                    continue
            self._died(i)

    def _died(self, worker: int, cause: BaseException | None = None) -> None:
        process = self.pool.processes[worker]
        process.join(timeout=5)
        message = f"a render worker died (exit status {process.exitcode}) with {self.load[worker]} tasks left"
        raise WorkerDied(message) from cause

    def _take(self, message: tuple[int, str, object, str]) -> None:
        sequence, kind, value, trace = message
        if kind == "ok":
            self.done[sequence] = value  # type: ignore[assignment]
            return
        if isinstance(value, BaseException):
            value.add_note(f"in a render worker:\n{trace}")
            raise value
        raise RuntimeError(f"a render worker failed:\n{trace}")


def _serve(work: Callable[[object], object], tasks: Connection, results: Connection, parent: int) -> None:
    """A worker: runs tasks until told to stop, sending each result (or the exception it raised) back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent handles it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)
    gc.disable()  # the build's objects hold no cycles (``briefgen.collector``); a collection would dirty their pages
    gc.freeze()
    while True:
        try:
            data = tasks.recv_bytes()
        except EOFError:
            return
        if data == STOP:
            return
        sequence, task = pickle.loads(data)
        try:
            message = pickle.dumps((sequence, "ok", work(task), ""), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            trace = traceback.format_exc()
            try:
                message = pickle.dumps((sequence, "error", exc, trace), pickle.HIGHEST_PROTOCOL)
                pickle.loads(message)  # an exception that pickles but cannot be rebuilt is sent as text
            except Exception:
                message = pickle.dumps((sequence, "error", None, trace), pickle.HIGHEST_PROTOCOL)
        results.send_bytes(message)


def _die_with(parent: int) -> None:
    """End this process when ``parent`` ends (killed, say), so no worker is left behind."""
    if sys.platform == "linux":
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG
                if os.getppid() != parent:  # it ended before the signal was asked for
                    os._exit(1)
                return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="briefgen-parent-watch", daemon=True).start()


def available_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
