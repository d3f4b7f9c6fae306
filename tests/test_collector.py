"""The cyclic collector during a build: off, on again after, and on for the language model's work."""

from __future__ import annotations

import gc

import pytest

from briefgen import collector


@pytest.fixture
def nothing_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a process that froze nothing, whatever tests ran before in this one (``briefgen serve`` freezes)."""
    monkeypatch.setattr(collector, "_froze", [False])
    gc.unfreeze()


@pytest.mark.usefixtures("nothing_frozen")
def test_paused_turns_the_collector_off_and_back_on() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested: still off, and still off after the inner block
            assert not gc.isenabled()
        assert not gc.isenabled()
        with collector.running():
            assert gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # what the block made went back to the collector's oldest generation


def test_running_leaves_a_collector_the_program_turned_off_alone() -> None:
    gc.disable()
    try:
        with collector.paused(), collector.running():
            assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_frozen_by_the_program_stay_frozen() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with collector.paused():
            kept = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= before + len(kept)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_objects_frozen_with_freeze_stay_frozen_and_are_not_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that froze with ``collector.freeze`` (``briefgen serve``'s build process, after every build) is
    not walked to count what it froze: at 10,000 articles that took 0.4 s of each build."""
    monkeypatch.setattr(collector, "_froze", [False])
    collector.freeze()
    try:
        before = gc.get_freeze_count()

        def walked() -> int:
            raise AssertionError("the frozen objects were counted")

        monkeypatch.setattr(gc, "get_freeze_count", walked)
        with collector.paused():
            kept = [[i] for i in range(1000)]
        monkeypatch.undo()
        assert gc.get_freeze_count() >= before + len(kept)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


@pytest.mark.usefixtures("nothing_frozen")
def test_cycles_made_while_paused_are_collected_later() -> None:
    class Node:
        pass

    with collector.paused():
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        del node
    assert gc.collect() >= 1
