"""Extraction on a dask.distributed cluster gives the same site, byte for byte, as a local build."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.build import build_site
from tests.helpers import SEED, make_site, tree_bytes

distributed = pytest.importorskip("distributed")


def test_local_cluster_build_is_byte_identical(tmp_path: Path) -> None:
    body = SEED.read_text(encoding="utf-8")
    files = {f"content/2025-08-{day:02d}-story-{day}.txt": body.replace("Trump", f"Trump{day}") for day in range(1, 7)}
    local = make_site(tmp_path / "local", files)
    remote = make_site(tmp_path / "remote", files)
    assert build_site(local, jobs=1).published
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
    ):
        result = build_site(remote, scheduler=cluster.scheduler_address)
    assert result.published and not result.errors
    assert tree_bytes(remote / "site") == tree_bytes(local / "site")
    # the cache stays the single source of truth: a second build needs no cluster at all
    again = build_site(remote, scheduler="tcp://127.0.0.1:9")
    assert again.published and tree_bytes(remote / "site") == tree_bytes(local / "site")


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    root = make_site(tmp_path / "s", {"content/2025-08-06-a.txt": "Putin said on Monday that talks went well.\n"})
    result = build_site(root, scheduler="tcp://127.0.0.1:9")
    assert not result.published
    assert "extraction failed" in result.errors[0].message
