"""Write: publish the rendered files atomically.

The new site is written, file by file as it is rendered, to a temporary folder beside the
output folder and swapped in only when complete, with one atomic ``renameat2(RENAME_EXCHANGE)`` on Linux, so a build
killed at any point leaves the previous site as it was. Files whose bytes did not change
are hard-linked from the previous site: they keep their inode and modification time.
The site it replaces is kept beside it as the spare (``.<output>.spare``) and becomes the next build's staging
folder: its folders and its files are reused, not made anew. Hidden entries the editor keeps at the top of the
output folder (a ``.git``) are carried into each new site (``Staging.publish``). A lock file keeps two builds of one
site from interleaving.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import enum
import errno
import fcntl
import itertools
import json
import os
import re
import secrets
import shutil
import stat
import subprocess
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefgen.config import SiteConfig, folder_conflict, records_path

RENAME_EXCHANGE = 2
AT_FDCWD = -100


# The JSON index of every briefing, at the top of every site briefgen publishes (``site.feeds`` writes it): it tells
# an output folder briefgen wrote from one it must not replace (:func:`replace_problem`).
SITE_INDEX = "briefings.json"


class Keep:
    """Marks an output file whose inputs did not change: the previous build's file stands."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


class Placed(enum.Enum):
    """An output file already in the staging folder, put there by a render worker (:meth:`Staging.place`)."""

    WRITTEN = "written"  # new bytes
    LINKED = "linked"  # the previous site's file, with the same bytes, hard-linked


class StaleOutput(RuntimeError):
    """A file marked KEEP is missing from the previous site (edited or deleted by hand)."""


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int  # files whose bytes changed or are new
    unchanged: int  # files kept from the previous site
    removed: int  # files of the previous site no longer produced
    changed: tuple[str, ...] = ()  # paths written or removed, for live reload
    spare: str | None = None  # the token the spare was left with (``Staging``: what it vouches for), if any


class UnsafePath(ValueError):
    """An output path that would leave the output folder."""


def check_output_path(path: str) -> PurePosixPath:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path or "\x00" in path:
        raise UnsafePath(f"refusing to write outside the output folder: {path!r}")
    return pure


# A path already in normal form (``PurePosixPath(p).as_posix() == p``) that stays inside the output folder: the
# common case, checked without building a path object (a 10,000-article build writes 40,000 files).
_PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9_~%+@-][A-Za-z0-9._~%+@-]*/)*[A-Za-z0-9_~%+@-][A-Za-z0-9._~%+@-]*")


def output_relative(path: str) -> str:
    """``path`` checked (:func:`check_output_path`) and in normal form, as a string."""
    if _PLAIN_PATH.fullmatch(path):  # no segment starts with a dot: no "." or ".." among them
        return path
    return check_output_path(path).as_posix()


def replace_problem(
    config: SiteConfig, folder: Path, what: str, marker: str, opening: bytes = b"", own: Collection[str] = ()
) -> str | None:
    """Why a build may not replace ``folder`` whole with what it writes (``what``: "the output folder"); None when it
    may. Publishing swaps the whole folder for the new one, so it must not be or hold the editor's own folders
    (:func:`briefgen.config.folder_conflict`), nor be a file, nor hold what briefgen may not have written there:
    what a folder that is not one briefgen made (no file ``marker`` at its top beginning with ``opening``) holds.
    Hidden entries at its top (a ``.git``: a gh-pages checkout) are not in the way: publishing carries them into the
    new folder (:meth:`Staging.publish`). ``own``: names the build itself puts at the top (those ``templates/root``
    holds)."""
    conflict = folder_conflict(config, folder, what)
    if conflict is not None:
        return conflict
    try:
        with os.scandir(folder) as listing:
            names = sorted(entry.name for entry in listing)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return f"{what} {folder} is a file, which a build would delete: move it away"
    try:
        with open(os.path.join(folder, marker), "rb") as handle:
            ours = handle.read(len(opening)) == opening
    except OSError:
        ours = False
    foreign = [name for name in names if not ours and not name.startswith(".") and name not in own]
    if not foreign:
        return None
    shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
    return f"{what} {folder} holds what briefgen did not write ({shown}), which a build would delete: move it away"


def _lock_path(root: Path) -> Path:
    return records_path(root) / "build.lock"


@contextlib.contextmanager
def site_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock for the site while building; a second build waits."""
    lock = _lock_path(root)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("briefgen: another build of this site is running; waiting for it", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def try_site_lock(root: Path) -> Iterator[bool]:
    """The site's lock if it is free at once (``site_lock`` waits; a preview never does); yields whether it is held."""
    try:
        handle = open(_lock_path(root), "a+b")  # noqa: SIM115 - closed below
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


def swap_folders(new: Path, current: Path) -> Path | None:
    """Put ``new`` in place of ``current``; return where the previous site now is, if anywhere."""
    if not current.exists():
        new.rename(current)
        return None
    function = _renameat2()
    if function is not None:
        result = function(AT_FDCWD, os.fsencode(new), AT_FDCWD, os.fsencode(current), RENAME_EXCHANGE)
        if result == 0:
            return new  # the old site now lives at the temporary name
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(current))
    # Fallback: two renames; a crash between them leaves the old site at the .old name.
    old = current.with_name(f".{current.name}.old-{os.getpid()}")
    current.rename(old)
    new.rename(current)
    return old


def recover_interrupted(output: Path) -> None:
    """Remove temporaries of killed builds; restore a site left aside by a fallback swap, and hidden entries a
    publish was carrying (:meth:`Staging.publish`) to the site they were in."""
    parent = output.parent
    if not parent.is_dir():
        return
    leftovers = sorted(parent.glob(f".{output.name}.old-*"))
    if not output.exists() and leftovers:
        leftovers[-1].rename(output)
        leftovers = leftovers[:-1]
    _recover_carried(output)
    for partial in parent.glob(f".{output.name}.carried-*"):  # a record killed before it was renamed into place
        with contextlib.suppress(OSError):
            partial.unlink()
    for stale in leftovers:
        shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f".{output.name}.tmp-*"):  # a killed build's staging folder: a spare like any other
        keep_as_spare(stale, output)
    for trash in parent.glob(f".{output.name}.trash-*"):  # a removal killed with its session, or still running
        _remove_in_background(trash)


SPARE_TOKEN = ".briefgen-spare"  # in the spare folder: how it differs from the site that replaced it (``Staging``)


def carried_path(output: Path) -> Path:
    """Beside the output folder while a publish carries hidden entries (a ``.git``) from the published site into
    the staging folder: which, and where to (``Staging.publish``); a killed build's are put back from it."""
    return output.with_name(f".{output.name}.carried")


def _hidden_to_carry(output: Path, paths: Collection[str], known: Collection[str] | None) -> list[str]:
    """The hidden entries at the top of the published site at ``output`` that the new site (``paths``) does not
    have and the build that published it did not write (``known``, when recorded): the editor's, a ``.git``."""
    try:
        with os.scandir(output) as listing:
            hidden = sorted(entry.name for entry in listing if entry.name.startswith("."))
    except OSError:
        return []
    if not hidden:
        return []
    tops = {path.partition("/")[0] for path in itertools.chain(paths, known or ())}
    return [name for name in hidden if name not in tops]


def _move_entries(names: Collection[str], source: Path, target: Path, moved: list[str] | None = None) -> None:
    """Move each of ``names`` from ``source`` to ``target`` (renames: atomic, in one file system), adding each to
    ``moved`` as it goes. One already at ``target`` (put there by hand since) keeps its place: the one moved gets a
    ``.recovered-`` name."""
    for name in names:
        if not os.path.lexists(source / name):
            continue
        into = target / name
        if os.path.lexists(into):
            into = target / f"{name}.recovered-{secrets.token_hex(4)}"
        os.rename(source / name, into)
        if moved is not None:
            moved.append(name)


def _recover_carried(output: Path) -> None:
    """Put back the hidden entries a killed publish was carrying into its staging folder (``carried_path``), before
    that folder is made the spare or deleted."""
    record = carried_path(output)
    try:
        data = json.loads(record.read_bytes())
        folder, names = data["folder"], data["names"]
    except OSError:  # none (most often), or not readable: the builds go on without it
        return
    except (ValueError, TypeError, KeyError):
        folder, names = None, None
    valid = isinstance(folder, str) and re.fullmatch(rf"\.{re.escape(output.name)}\.tmp-\d+", folder) is not None
    if not valid or not isinstance(names, list) or not all(_plain_hidden(n) for n in names):
        record.unlink()  # written whole (renamed into place), so not a build's: it tells nothing
        return
    source = output.parent / folder
    if source.is_dir() and not source.is_symlink():
        output.mkdir(exist_ok=True)  # (a fallback swap's site was put back above)
        _move_entries(names, source, output)
    record.unlink()


def _plain_hidden(name: object) -> bool:
    return isinstance(name, str) and name.startswith(".") and name not in (".", "..") and "/" not in name


def spare_path(output: Path) -> Path:
    """Where the site's spare folder is kept: the previous site, which the next build reuses as its staging folder."""
    return output.with_name(f".{output.name}.spare")


def keep_as_spare(folder: Path, output: Path) -> bool:
    """Keep ``folder`` (a previous site, or a failed build's staging folder) as the spare; there is one at most.
    Whether it is the spare now."""
    try:
        folder.rename(spare_path(output))  # fails when there is one already
    except OSError:
        discard_folder(folder, output)
        return False
    return True


def discard_folder(folder: Path, output: Path) -> None:
    """Delete ``folder`` (a previous site) in the background: renamed aside, then removed by a detached ``rm``.

    Removing a 10,000-article site (41,000 files in 10,000 folders) takes seconds; the build need not wait for it.
    The new name (``.<output>.trash-<random>``) is never reused by a build, and the next build removes one that is
    still there (an ``rm`` killed with its session). Without ``rm``, the folder is removed here and now.
    """
    trash = output.with_name(f".{output.name}.trash-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        folder.rename(trash)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _remove_in_background(trash)


def _remove_in_background(folder: Path) -> None:
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", os.fspath(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def write_file(path: str, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


def same_bytes(path: Path, data: bytes) -> bool:
    return _same_bytes(os.fspath(path), data)


def link_if_same(previous: Path, placed: Path) -> bool:
    """Whether ``placed`` (a file just made in the staging folder by another program) has the bytes of ``previous``
    (the published site's file at its path). If so it becomes a hard link to that file, which keeps its inode and
    modification time, as every file the build writes with unchanged bytes does."""
    try:
        if os.stat(previous).st_size != os.stat(placed).st_size:  # most often: no such file (a clean build)
            return False
        data = placed.read_bytes()
    except OSError:
        return False
    if not _same_bytes(os.fspath(previous), data):
        return False
    temporary = placed.with_name(f".{placed.name}.link-{os.getpid()}")
    try:
        os.link(previous, temporary)
        os.replace(temporary, placed)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True


def put_file(target: str, previous: str, data: bytes, shared: bool) -> Placed:
    """Put ``data`` at ``target``: a hard link to ``previous`` (the published site's file at its path) when it has
    those bytes, else a file written. ``shared``: ``target`` may already be there, and be the published file itself
    (a reused spare's, hard-linked): it is then replaced, never written through."""
    if _same_bytes(previous, data):
        try:
            link_file(previous, target, shared)
            return Placed.LINKED
        except OSError:
            pass
    if shared:
        here = _lstat(target)
        if here is not None and not (stat.S_ISREG(here.st_mode) and here.st_nlink == 1):
            clear_path(target)  # shared with the site (or not a file): a new file, not the site's rewritten
    write_file(target, data)  # a file of the spare's own is rewritten in place
    return Placed.WRITTEN


def link_file(previous: str, target: str, shared: bool) -> None:
    """``target`` is the file at ``previous`` (hard-linked), whatever (``shared``) was there before."""
    if shared and (here := _lstat(target)) is not None:
        if os.path.samestat(here, os.stat(previous)):
            return
        clear_path(target)
    os.link(previous, target)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


class Staging:
    """The new site, written file by file into a folder beside ``output`` and swapped in whole by ``publish``.

    Files go to disk as they are produced, so no build holds the whole site in memory. ``KEEP``
    files, and files whose bytes equal the previous file's, are hard-linked from the previous
    site: they keep their inode and modification time. Leaving the ``with`` block without
    ``publish`` (an error, a full disk) gives the staging folder up (``discard``); a killed build's
    folder becomes the next build's spare. The previous site stands until the one atomic exchange.

    The staging folder is the spare when there is one (``spare_path``: the site before the current one, or a
    failed build's staging folder), so a build creates only what that older tree lacks: a file the spare already
    shares with the site (the same inode) stays as it is, one only the spare holds is rewritten in place, and what
    the new site does not have is removed before the swap. A build that fails keeps the spare for the next one,
    unless writing into it failed. Creating files and folders is what writing a site
    costs most; on a file system without a journal, creating them right after deleting as many costs far more
    (ext4 skips every inode freed in the last minute or so, one by one).

    The spare vouches for itself. A publish leaves in it (``SPARE_TOKEN``) a new token and the paths where it
    differs from the site it was replaced by: the files that build wrote and those it removed. Every other file of
    the spare is that site's own (the same inode). The next build passes the token its state recorded
    (``vouched``); when the spare holds it, a file that stands (``KEEP``) and is not among those paths is already
    in place, and what the new site does not have is known without listing the spare's folders. At 10,000
    articles an edit keeps 47,000 files: linking them (a look at each side) and listing 17,000 folders took about
    a second. The token is taken out before anything is written into the spare, so a spare a build wrote into and
    did not publish (a failed or killed build's) is checked file by file; a spare changed by hand is not noticed.
    """

    def __init__(self, output: Path, known: Collection[str] | None = None, vouched: str | None = None) -> None:
        self.output = output.absolute()
        self.known = known  # the published site's files, as its build recorded them: not walked to find what goes
        self.output.parent.mkdir(parents=True, exist_ok=True)
        recover_interrupted(self.output)
        self.folder = self.output.with_name(f".{self.output.name}.tmp-{os.getpid()}")
        shutil.rmtree(self.folder, ignore_errors=True)
        spare = spare_path(self.output)
        self.reused = spare.is_dir() and not spare.is_symlink()
        # Where the reused spare may differ from the published site, when it vouches for the rest (see above)
        self.differs: frozenset[str] | None = None
        if self.reused:
            spare.rename(self.folder)
            differs = _take_token(self.folder, vouched)
            self.differs = differs if known is not None else None  # what goes is known only with the site's record
        else:
            self.folder.mkdir()
        self.paths: set[str] = set()
        self.written: list[str] = []
        self.unchanged = 0
        self._folder = os.fspath(self.folder) + os.sep
        self._output = os.fspath(self.output) + os.sep
        self._made: set[str] = {os.fspath(self.folder)}
        self._done = False

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, traceback: object) -> None:
        if not self._done:
            self.discard(keep=not isinstance(exc, OSError))

    def put(self, path: str, data: bytes | Keep | Placed) -> None:
        """Write one file of the new site (``KEEP``: the previous site's file, linked; ``Placed``: already there)."""
        relative = output_relative(path)
        if relative in self.paths:
            raise ValueError(f"{path}: written twice")
        self.paths.add(relative)
        if isinstance(data, Keep) and self.differs is not None and relative not in self.differs:
            self.unchanged += 1  # the spare's file is the published one
            return
        placed = data if isinstance(data, Placed) else self._place(relative, data)
        if placed is Placed.WRITTEN:
            self.written.append(relative)
        else:
            self.unchanged += 1

    def place(self, path: str, data: bytes) -> Placed:
        """Put one file in the staging folder, in any process (a forked render worker); ``put`` then records it.

        Workers that write their own files spare the build sending every page's bytes back to one process, and
        create files side by side (creating files and folders is most of what writing a site costs).
        """
        return self._place(output_relative(path), data)

    def _place(self, relative: str, data: bytes | Keep) -> Placed:
        target = self._folder + relative
        self._folder_for(os.path.dirname(target))
        previous = self._output + relative
        if isinstance(data, Keep):
            try:
                link_file(previous, target, self.reused)
            except OSError as exc:
                raise StaleOutput(f"{relative}: the previous file is gone ({exc.strerror})") from exc
            return Placed.LINKED
        return put_file(target, previous, data, self.reused)

    def _folder_for(self, folder: str) -> None:
        """``folder`` (in the staging folder) exists and is a folder, not a link."""
        if folder in self._made:
            return
        self._folder_for(os.path.dirname(folder))
        try:
            os.mkdir(folder)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):  # a file or a link of the spare's
                os.unlink(folder)
                os.mkdir(folder)
        self._made.add(folder)

    def publish(self) -> WriteStats:
        """Swap the staging folder in for the output folder, atomically; keep the previous site as the spare.

        Hidden entries at the top of the published site that the build did not write (a ``.git``: the site is a
        gh-pages checkout; the editor's ``.htaccess``) are carried into the new site, as MkDocs, Hugo and Pelican
        (``OUTPUT_RETENTION``) keep them: moved into the staging folder just before the swap, by rename, with a
        record of them beside the output folder (``carried_path``) until it is done. A build killed in between has
        them put back by the next (``recover_interrupted``); one that fails puts them back itself.
        """
        carrying: list[str] = []  # what is in the staging folder now
        try:
            if self.reused:
                self._prune()
            self._carry_in(carrying)
            removed = (
                sorted(set(self.known) - self.paths) if self.known is not None else _removed(self.output, self.paths)
            )
            old = swap_folders(self.folder, self.output)
        except BaseException as exc:
            if carrying and not self._carry_back(carrying):
                self._done = True  # the staging folder holds what is not ours: the next build puts it back
                raise
            self.discard(keep=not isinstance(exc, OSError))
            raise
        if carrying:
            with contextlib.suppress(OSError):
                carried_path(self.output).unlink()
        self._done = True
        written = sorted(self.written)
        token = None
        if old is not None and keep_as_spare(old, self.output):
            token = _leave_token(spare_path(self.output), [*written, *removed])
        return WriteStats(len(written), self.unchanged, len(removed), (*written, *removed), token)

    def _carry_in(self, moved: list[str]) -> None:
        """Move the hidden entries to carry (``publish``) into the staging folder, adding each to ``moved``."""
        names = _hidden_to_carry(self.output, self.paths, self.known)
        if not names:
            return
        record = carried_path(self.output)
        partial = record.with_name(f"{record.name}-{os.getpid()}")
        partial.write_text(json.dumps({"folder": self.folder.name, "names": names}), encoding="utf-8")
        os.replace(partial, record)
        _move_entries(names, self.output, self.folder, moved)

    def _carry_back(self, names: list[str]) -> bool:
        """Put carried entries back in the published site after a failed swap; whether all are back."""
        try:
            _move_entries(names, self.folder, self.output)
        except OSError:
            return False
        with contextlib.suppress(OSError):
            carried_path(self.output).unlink()
        return True

    def _prune(self) -> None:
        """Remove what the reused spare holds that the new site does not: files, folders, anything else."""
        folders = _folders(self.paths)
        if self.differs is not None:  # (only with ``known``: see ``__init__``)
            self._prune_vouched(folders)
            return
        # One listing a folder, each entry named by its path in the site as it is found: at 10,000 articles (17,000
        # folders) 0.17 s, where ``os.walk`` and a relative path a folder took 0.32 s.
        below = [(os.fspath(self.folder), "")]
        while below:
            here, prefix = below.pop()
            with os.scandir(here) as entries:
                for entry in entries:
                    relative = prefix + entry.name
                    if entry.is_dir():  # a folder, or a link to one (as ``os.walk`` tells them)
                        if relative in folders and not entry.is_symlink():
                            below.append((entry.path, relative + "/"))
                        else:
                            clear_path(entry.path)
                    elif relative not in self.paths:
                        os.unlink(entry.path)

    def _prune_vouched(self, folders: set[str]) -> None:
        """``_prune`` for a spare that vouches for itself: it holds the files the published site has (``known``)
        and those the build that published it removed (in ``differs``), in their folders, and nothing else."""
        assert self.differs is not None and self.known is not None
        had = {*self.known, *self.differs}
        # Not there: a file the build that published wrote anew, or one in a folder that is a file of the new site
        # now (cleared when that file was written), or in a folder cleared just before.
        gone = (FileNotFoundError, NotADirectoryError)
        for relative in had - self.paths:
            if relative not in folders:  # a folder of the new site where the spare had a file: made already
                with contextlib.suppress(*gone):
                    clear_path(self._folder + relative)
        for folder in sorted(_folders(had) - folders - self.paths):
            with contextlib.suppress(*gone):
                clear_path(self._folder + folder)

    def discard(self, keep: bool = True) -> None:
        """Give up the new site. A reused spare stays the spare (partly rewritten), unless ``keep`` is false: after
        an error writing into it (a full disk, a folder it may not write to) it is removed, and the next build starts
        afresh instead of failing on it again. A new folder is removed.
        """
        self._done = True
        if self.reused and keep:
            keep_as_spare(self.folder, self.output)
        elif self.reused:
            discard_folder(self.folder, self.output)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


def _folders(paths: Collection[str]) -> set[str]:
    """The folders ``paths`` are in, every level of them ("" for the top)."""
    folders = {""}
    for path in paths:
        folder = path
        while (folder := folder.rpartition("/")[0]) and folder not in folders:
            folders.add(folder)
    return folders


def _leave_token(spare: Path, differs: list[str]) -> str | None:
    """Leave a new token in ``spare`` with the paths where it ``differs`` from the site (``Staging``); the token, or
    None when it could not be written (the spare is then checked file by file)."""
    token = secrets.token_hex(16)
    try:
        (spare / SPARE_TOKEN).write_text(json.dumps({"token": token, "differs": differs}), encoding="utf-8")
    except OSError:
        return None
    return token


def _take_token(folder: Path, vouched: str | None) -> frozenset[str] | None:
    """Take the spare's token out of ``folder`` (the spare, now a staging folder), before anything is written into
    it: the paths where it differs from the published site if it holds the token ``vouched``, else None."""
    path = folder / SPARE_TOKEN
    try:
        data = path.read_bytes()
        path.unlink()
    except FileNotFoundError:
        return None
    except OSError:
        with contextlib.suppress(OSError):
            clear_path(path)
        return None
    try:
        left = json.loads(data)
        token, differs = left["token"], left["differs"]
    except (ValueError, TypeError, KeyError):
        return None
    if vouched is None or token != vouched or not all(isinstance(p, str) for p in differs):
        return None
    return frozenset(differs)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def clear_path(path: str | os.PathLike[str]) -> None:
    """Remove whatever is at ``path``: a file, a link, a folder and all it holds."""
    if stat.S_ISDIR(os.lstat(path).st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def publish(files: Mapping[str, bytes | Keep], output: Path) -> WriteStats:
    """Write ``files`` as the complete new content of ``output``, atomically (see :class:`Staging`)."""
    checked = sorted((check_output_path(p).as_posix(), data) for p, data in files.items())
    with Staging(output) as staging:
        for path, data in checked:
            staging.put(path, data)
        return staging.publish()


def _removed(output: Path, produced: Collection[str]) -> list[str]:
    """Files of the previous site at ``output`` that the new one (``produced``, normal-form paths) does not have."""
    if not output.is_dir():
        return []
    base = os.fspath(output)
    existing: set[str] = set()
    for folder, _, files in os.walk(base):
        prefix = _prefix(folder, base)
        existing.update(prefix + name for name in files)
    return sorted(existing - set(produced))


def _prefix(folder: str, base: str) -> str:
    """What goes before a name in ``folder`` to make its output path: "" in ``base`` itself, else "a/b/"."""
    relative = os.path.relpath(folder, base).replace(os.sep, "/")
    return "" if relative == "." else relative + "/"
