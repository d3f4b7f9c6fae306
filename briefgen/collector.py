"""The cyclic garbage collector during a build: off while the build makes millions of objects that hold no cycles.

A build at 10,000 articles holds some ten million small objects (articles, decoded extractions, the actor index,
page views), none of them in a reference cycle. With the collector on, their own allocations set off its full
passes, each walking everything alive so far: measured at 10,000 articles, decoding the cached extractions took
2.1 s with it and 1.1 s without, and a one-edit build spent 1.8 s in one pass while saving its state, after rendering.
Garbage without cycles is freed by reference counting whether the collector runs or not.

Only the language model makes cyclic garbage, and :func:`running` lets the collector work while it does.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_paused = [False]  # whether the collector is off because of :func:`paused` (not because the program turned it off)
_froze = [False]  # whether this process froze objects with :func:`freeze`


def freeze() -> None:
    """``gc.freeze()``, remembered, so :func:`paused` knows there are frozen objects without counting them: counting
    walks them all (``gc.get_freeze_count``), some 0.4 s a build in ``briefgen serve``'s build process at 10,000
    articles, which freezes what it keeps after each build."""
    gc.freeze()
    _froze[0] = True


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off inside the block; on again after it (if it was on), without walking what the block made.

    Leaving the block, everything the collector tracks goes to its oldest generation at once (a freeze and an
    unfreeze move lists; they do not walk them), so the next young collection does not walk the whole build's
    objects. A process that froze objects of its own before (``gc.freeze``, as ``briefgen serve`` does with the
    language model) keeps the block's objects frozen too, since unfreezing would release its own.
    """
    if not gc.isenabled():
        yield
        return
    frozen_before = _froze[0] or gc.get_freeze_count() > 0
    gc.disable()
    _paused[0] = True
    try:
        yield
    finally:
        _paused[0] = False
        gc.freeze()
        if not frozen_before:
            gc.unfreeze()
        gc.enable()


@contextlib.contextmanager
def running() -> Iterator[None]:
    """The collector on inside the block, if :func:`paused` turned it off: for work that makes cyclic garbage.

    Its first collection in the block walks every object made since the pause began (they are all still in the
    young generation), so enter it before making many objects, or not at all for no work.
    """
    if not _paused[0] or gc.isenabled():
        yield
        return
    gc.enable()
    try:
        yield
    finally:
        gc.disable()
