"""briefgen build on small real sites: outputs, problems, exit codes, atomic publishing, the cache."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.cli import main
from briefgen.config import load_config
from briefgen.render import SITE_NAMES
from briefgen.state import BuildState, load_state, scan_output
from tests.helpers import (
    REPO,
    SEED,
    article,
    clean_build_elsewhere,
    clean_build_of,
    leftovers,
    make_site,
    not_resident,
    tree_bytes,
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(
        tmp_path / "s",
        {
            "content/2025-08-06-summit.txt": SEED.read_text(encoding="utf-8"),
            "content/older.md": article("Older news", "2025-07-01", "Putin said on Monday that talks “went well”."),
        },
    )


def test_build_writes_pages_briefings_and_index(site: Path) -> None:
    result = build_site(site, jobs=1)
    assert result.published and not result.errors, result.problems
    out = site / "site"
    assert (out / "index.html").is_file()
    for slug in ("summit", "older"):
        assert (out / "briefings" / slug / "index.html").is_file()
        markdown = (out / "briefings" / slug / "briefing.md").read_text(encoding="utf-8")
        assert markdown.startswith("---\n") and "## Quotes" in markdown and "## Source text" in markdown
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index("briefings/summit/") < index.index("briefings/older/"), "newest first"


def test_cli_exit_codes_and_summary(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(site), "--jobs", "1"]) == 0
    assert "2 articles" in capsys.readouterr().out
    (site / "content" / "bad.md").write_text("---\ntitle: [oops\n---\nText.\n", encoding="utf-8")
    assert main(["build", str(site), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "content/bad.md:3: error: invalid YAML front matter" in err
    # the other articles are still published
    assert (site / "site" / "briefings" / "summit" / "index.html").is_file()


def test_the_command_reports_in_full_before_it_leaves(site: Path) -> None:
    """``briefgen build`` ends its process as soon as it has reported (``build.leave``): what it printed to a pipe
    (buffered, as in a script or CI) reaches it whole, with the exit status, and the site is published."""
    (site / "content" / "bad.md").write_text("---\ntitle: [oops\n---\nText.\n", encoding="utf-8")
    command = [sys.executable, "-m", "briefgen", "build", str(site), "--jobs", "1"]
    run = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    assert run.returncode == 1
    assert "content/bad.md:3: error: invalid YAML front matter" in run.stderr
    assert re.search(r"briefgen: built: 2 articles, \d+ pages, 1 errors, 0 warnings in [\d.]+ s\n\Z", run.stderr)
    (site / "content" / "bad.md").unlink()
    run = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    assert run.returncode == 0 and run.stderr == ""
    assert re.fullmatch(
        r"briefgen: built: 2 articles, \d+ pages, 0 errors, 0 warnings in [\d.]+ s\n"
        r"briefgen: 0 articles extracted, 2 from the cache; \d+ files written, \d+ unchanged, \d+ removed\n",
        run.stdout,
    )
    assert (site / "site" / "briefings" / "summit" / "index.html").is_file() and not leftovers(site)


def test_the_summary_tells_what_an_edit_did_again(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Besides the counts, a build that publishes says what it extracted and wrote, as Pelican's and Hugo's do: an
    edit extracts its one article and writes a few files, the rest stand."""
    assert main(["build", str(site), "--jobs", "1"]) == 0
    first = re.fullmatch(
        r"briefgen: 2 articles extracted, 0 from the cache; (\d+) files written, 0 unchanged, 0 removed",
        capsys.readouterr().out.splitlines()[1],
    )
    assert first is not None
    written = int(first[1])
    with (site / "content" / "older.md").open("a", encoding="utf-8") as article:
        article.write("Officials said the talks would resume on Friday.\n")
    assert main(["build", str(site), "--jobs", "1"]) == 0
    found = re.fullmatch(
        r"briefgen: 1 article extracted, 1 from the cache; (\d+) files written, (\d+) unchanged, \d+ removed",
        capsys.readouterr().out.splitlines()[1],
    )
    assert found is not None and 0 < int(found[1]) < int(found[2]) and int(found[2]) < written
    assert main(["build", str(site), "--jobs", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == []  # up to date: nothing done, nothing to tell


def test_a_file_named_in_another_encoding_is_an_error_naming_it(site: Path) -> None:
    """An old archive's Latin-1 file name reaches Python as surrogates, which neither the read memo, nor the state,
    nor a page can hold: the build reported a traceback. Now it names the file (its odd byte escaped), builds the
    others, exits 1, and says so again when nothing changed."""
    latin = os.fsdecode(b"caf\xe9-notes.txt")
    (site / "content" / latin).write_text("Officials said the talks would resume.\n", encoding="utf-8")
    for _ in range(2):
        run = subprocess.run(
            [sys.executable, "-m", "briefgen", "build", str(site), "--jobs", "1"],
            capture_output=True,
            cwd=REPO,
            check=False,
        )
        assert run.returncode == 1, run.stderr
        assert b"content/caf\\xe9-notes.txt: error: the file's name is not UTF-8 text" in run.stderr
        assert b"Traceback" not in run.stderr
        assert (site / "site" / "briefings" / "summit" / "index.html").is_file()


def test_a_site_in_a_folder_named_in_another_encoding_is_built_indexed_and_kept(tmp_path: Path) -> None:
    """A site folder whose name is Latin-1 bytes: Pagefind takes UTF-8 arguments only (the site was not published),
    and the state, written with the path's bytes escaped, could not be read back (every build rendered everything).
    """
    latin = tmp_path / os.fsdecode(b"archives-r\xe9gion")
    root = make_site(latin, {"content/2025-08-06-summit.txt": SEED.read_text(encoding="utf-8")})
    result = build_site(root, jobs=1)
    assert result.published and not result.problems, result.problems
    assert list((root / "site" / "pagefind").glob("*/pagefind-entry.json"))
    assert build_site(root, jobs=1).up_to_date
    path = root / "content" / "2025-08-06-summit.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nOfficials said more talks would follow.\n", "utf-8")
    edited = build_site(root, jobs=1)
    assert edited.published and edited.stats is not None and edited.stats.unchanged > 0
    assert tree_bytes(root / "site") == clean_build_of(root, tmp_path / "clean")


def test_no_search_builds_the_site_without_its_index_and_says_so(site: Path, tmp_path: Path) -> None:
    assert main(["build", str(site), "--jobs", "1", "--quiet", "--no-search"]) == 0
    output = site / "site"
    assert not (output / "pagefind").exists()
    search_page = (output / "search" / "index.html").read_text(encoding="utf-8")
    assert "This build has no search index." in search_page and "pagefind-ui.js" not in search_page
    assert (output / "briefings" / "summit" / "index.html").is_file()
    # with the index again, it is built (the same content, now searchable)
    assert main(["build", str(site), "--jobs", "1", "--quiet"]) == 0
    assert list((output / "pagefind").glob("*/pagefind-entry.json"))
    assert tree_bytes(output) == clean_build_of(site, tmp_path / "clean")


def test_strict_fails_on_warnings_and_does_not_publish(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(site), "--jobs", "1"]) == 0
    before = tree_bytes(site / "site")
    (site / "content" / "odd.md").write_text("---\ntitle: Odd\ncolour: red\n---\nText here.\n", encoding="utf-8")
    assert main(["build", str(site), "--strict", "--jobs", "1", "--quiet"]) == 1
    assert "content/odd.md:3: warning: unknown front-matter key 'colour'" in capsys.readouterr().err
    assert tree_bytes(site / "site") == before
    assert main(["build", str(site), "--jobs", "1", "--quiet"]) == 0


def test_drafts_skipped_unless_asked(site: Path) -> None:
    (site / "content" / "draft.md").write_text("---\ntitle: D\ndraft: true\n---\nSecret text.\n", encoding="utf-8")
    build_site(site, jobs=1)
    assert not (site / "site" / "briefings" / "draft").exists()
    build_site(site, jobs=1, drafts=True)
    assert (site / "site" / "briefings" / "draft" / "index.html").is_file()


def test_duplicate_slug_is_an_error_naming_both_files(site: Path) -> None:
    (site / "content" / "copy.md").write_text("---\ntitle: C\nslug: older\n---\nText.\n", encoding="utf-8")
    result = build_site(site, jobs=1)
    [error] = result.errors
    assert error.path == "content/older.md" or error.path == "content/copy.md"
    assert "already used by" in error.message


def test_config_errors_reported_together_with_lines(tmp_path: Path) -> None:
    root = make_site(tmp_path / "c", {}, config="title: X\ntimezone: Mars/Base\nrecent_count: -1\nfoo: 1\n")
    result = build_site(root, jobs=1)
    assert not result.published
    assert [(p.level, p.line) for p in result.problems] == [("error", 2), ("error", 3), ("warning", 4)]


def test_missing_date_warns(tmp_path: Path) -> None:
    root = make_site(tmp_path / "d", {"content/undated.txt": "Trump said on Friday it would end.\n"})
    result = build_site(root, jobs=1)
    assert any("no date" in p.message for p in result.warnings)


def test_template_override_and_template_error(site: Path) -> None:
    templates = site / "templates"
    templates.mkdir()
    (templates / "index.html").write_text(
        '{% extends "base.html" %}{% block main %}<p>CUSTOM {{ briefings | length }}</p>{% endblock %}\n'
    )
    build_site(site, jobs=1)
    assert "CUSTOM 2" in (site / "site" / "index.html").read_text(encoding="utf-8")
    before = tree_bytes(site / "site")
    (templates / "index.html").write_text("{% extends 'base.html' %}\n{% block main %}{{ nope( }}{% endblock %}\n")
    result = build_site(site, jobs=1)
    assert not result.published
    [error] = result.errors
    assert error.path.endswith("index.html") and error.line == 2
    assert tree_bytes(site / "site") == before
    # An error Jinja finds only when it compiles the template (which the page's digest does first): it named
    # "<introspection>", not the file.
    (templates / "index.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{% extends 'x.html' %}{% endblock %}\n"
    )
    [error] = build_site(site, jobs=1).errors
    assert (
        error.path == str(templates / "index.html") and "cannot use extend from a non top-level scope" in error.message
    )


def test_rebuild_keeps_unchanged_files_and_mtimes(site: Path) -> None:
    build_site(site, jobs=1)
    page = site / "site" / "briefings" / "summit" / "index.html"
    first = page.stat()
    time.sleep(0.01)
    result = build_site(site, jobs=1)
    assert result.up_to_date and result.published
    assert page.stat().st_mtime_ns == first.st_mtime_ns and page.stat().st_ino == first.st_ino
    # an edit to another article re-renders that one; this page's file is kept as it was
    with (site / "content" / "older.md").open("a", encoding="utf-8") as handle:
        handle.write("\nPutin added on Tuesday that the talks would go on.\n")
    result = build_site(site, jobs=1)
    assert not result.up_to_date and result.stats is not None and result.stats.unchanged > 0
    assert page.stat().st_mtime_ns == first.st_mtime_ns and page.stat().st_ino == first.st_ino
    assert "would go on" in (site / "site" / "briefings" / "older" / "index.html").read_text(encoding="utf-8")
    # the state records the kept files as they are (not looked at again: hard links of the files it found)
    state = load_state(load_config(site)[0])
    on_disk = scan_output(site / "site", state.files.keys(), {p: f.digest for p, f in state.files.items()})
    assert state.files == on_disk and len(on_disk) > result.stats.unchanged > len(on_disk) / 2
    assert build_site(site, jobs=1).up_to_date


def test_a_state_file_not_as_written_is_no_state_and_the_build_renders_everything(site: Path, tmp_path: Path) -> None:
    """``.briefgen/state.json`` damaged, edited by hand or from another version: the build trusts none of it."""
    assert build_site(site, jobs=1).published
    config = load_config(site)[0]
    path = site / ".briefgen" / "state.json"
    saved = path.read_text(encoding="utf-8")
    assert load_state(config).files and '"index.html":[' in saved and '"problems":[]' in saved
    broken = {
        "not JSON": saved[: len(saved) // 2],
        "another version": saved.replace('"version":1', '"version":2'),
        "a size as text": re.sub(r'"index.html":\[(\d+)', r'"index.html":["\1"', saved),
        "a file of four fields": saved.replace('"index.html":[', '"index.html":[1,'),
        "a problem of another level": saved.replace('"problems":[]', '"problems":[["fatal","m",null,null]]'),
        "no files": saved.replace('"files":', '"filez":'),
    }
    for why, text in broken.items():
        assert text != saved, why
        path.write_text(text, encoding="utf-8")
        assert load_state(config) == BuildState(), why
    result = build_site(site, jobs=1)
    assert result.published and not result.up_to_date
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")
    assert load_state(config).files and build_site(site, jobs=1).up_to_date


def test_the_site_named_another_way_is_up_to_date(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Built as ``.`` from its folder, then by its absolute path, then by a relative one: nothing to do."""
    monkeypatch.chdir(site)
    assert build_site(Path("."), jobs=1).published
    assert build_site(site.absolute(), jobs=1).up_to_date
    monkeypatch.chdir(site.parent)
    assert build_site(Path(site.name), jobs=1).up_to_date
    (site / "content" / "older.md").write_text(article("Older", "2025-07-01", "Changed."), encoding="utf-8")
    assert not build_site(site.absolute(), jobs=1).up_to_date


def test_incremental_builds_equal_a_clean_build(site: Path, tmp_path: Path) -> None:
    """After any sequence of edits, the incrementally built site is byte-identical to a clean build."""
    build_site(site, jobs=1)
    content = site / "content"
    edits = [
        lambda: (content / "older.md").write_text(article("Older, revised", "2025-07-01", "Putin said “no”."), "utf-8"),
        lambda: (content / "new.md").write_text(article("Newest", "2025-09-01", "Witkoff met Putin."), "utf-8"),
        lambda: (site / "actors.yml").write_text("- name: Vladimir Putin\n  aliases: [Putin]\n", "utf-8"),
        lambda: (site / "briefgen.yml").write_text("title: Renamed site\n", "utf-8"),
        lambda: (content / "new.md").unlink(),
    ]
    for number, edit in enumerate(edits):
        edit()
        assert build_site(site, jobs=1).published
        clean = clean_build_of(site, tmp_path / f"clean-{number}")
        assert tree_bytes(site / "site") == clean, f"differs after edit {number}"


def test_removed_article_disappears(site: Path) -> None:
    build_site(site, jobs=1)
    (site / "content" / "older.md").unlink()
    build_site(site, jobs=1)
    assert not (site / "site" / "briefings" / "older").exists()


def test_corrupt_cache_is_rebuilt_not_trusted(site: Path) -> None:
    build_site(site, jobs=1)
    expected = tree_bytes(site / "site")
    cache = site / ".briefgen" / "cache.sqlite"
    db = sqlite3.connect(cache)
    db.execute("UPDATE extractions SET data = replace(data, 'Putin', 'Pxtin')")
    db.commit()
    db.close()
    build_site(site, jobs=1)
    assert tree_bytes(site / "site") == expected
    cache.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(cache) + suffix).unlink(missing_ok=True)
    build_site(site, jobs=1)
    assert tree_bytes(site / "site") == expected


def test_an_actors_yml_change_extracts_and_renders_again_only_the_briefings_it_can_change(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry is not in the cache's key: an entry is looked for in each article's text, and only the
    articles whose extraction it can change are extracted again, and only their briefings rendered again. The
    site is then the one a clean build makes."""
    import briefgen.pipeline
    import briefgen.render

    build_site(site, jobs=1)
    extracted: list[str] = []
    rendered: list[str] = []
    extract, render = briefgen.pipeline.extract_many, briefgen.render.render_page

    def extracting(items: list[tuple[str, object]], *args: object) -> object:
        extracted.extend(text[:20] for text, _ in items)
        return extract(items, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.pipeline, "extract_many", extracting)
    monkeypatch.setattr(briefgen.render, "render_page", lambda *args: rendered.append(args[1].path) or render(*args))
    registry = site / "actors.yml"
    registry.write_text("- name: Emmanuel Macron\n  aliases: [Macron]\n", "utf-8")  # named in neither
    assert build_site(site, jobs=1).published
    assert extracted == [] and rendered == []
    registry.write_text(
        "- name: Emmanuel Macron\n  aliases: [Macron]\n"
        "- name: Karoline Leavitt\n  description: White House press secretary.\n",  # named in the seed only
        "utf-8",
    )
    assert build_site(site, jobs=1).published
    assert extracted == [SEED.read_text(encoding="utf-8")[:20]]
    assert "briefings/summit/index.html" in rendered and "briefings/older/index.html" not in rendered
    page = (site / "site" / "actors" / "karoline-leavitt" / "index.html").read_text(encoding="utf-8")
    assert "White House press secretary." in page
    extracted.clear()
    rendered.clear()
    with registry.open("a", encoding="utf-8") as handle:
        handle.write("  role: Spokeswoman\n")  # an entry's role is shown by the actor pages, not extracted
    assert build_site(site, jobs=1).published
    assert extracted == [] and not any(path.startswith("briefings/") for path in rendered)
    assert tree_bytes(site / "site") == clean_build_of(site, site.parent / "clean", "cache.sqlite*")
    assert len(extracted) == 2  # the clean build, without the cache, extracted both


def test_an_upgrade_keeps_the_rows_a_version_1_cache_keyed_by_the_registry(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 1 keyed each row by the whole registry. A site with an ``actors.yml`` is not extracted again."""
    import briefgen.pipeline
    from briefgen.build import read_all
    from briefgen.cache import NO_ENTRIES, cache_key, extraction_settings
    from briefgen.config import load_config
    from briefgen.registry import Registry, load_registry

    (site / "actors.yml").write_text("- name: Vladimir Putin\n  aliases: [Putin]\n  description: Russia.\n", "utf-8")
    assert build_site(site, jobs=1).published
    expected = tree_bytes(site / "site")
    config, _ = load_config(site)
    articles, _ = read_all(config, False)
    registry, _ = load_registry(site / "actors.yml")
    db = sqlite3.connect(site / ".briefgen" / "cache.sqlite")
    for read in articles:  # the rows as version 1 keyed them, stamped as the upgrade stamps them
        old, new = (cache_key(read.text, read.date, extraction_settings(r)) for r in (registry, Registry()))
        stamps = (NO_ENTRIES, NO_ENTRIES)
        db.execute("UPDATE extractions SET key = ?, registry = ?, scope = ? WHERE key = ?", (old, *stamps, new))
    db.commit()
    db.close()
    (site / "site" / "index.html").unlink()  # the build must run
    extracted: list[object] = []
    real = briefgen.pipeline.extract_many
    monkeypatch.setattr(briefgen.pipeline, "extract_many", lambda items, *a: extracted.extend(items) or real(items, *a))
    assert build_site(site, jobs=1).published
    assert extracted == []
    assert tree_bytes(site / "site") == expected


def test_gc_deletes_the_cached_extractions_no_article_uses(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``build --gc``: rows of edited or deleted articles go, those of every article there (drafts too) stay, and
    the next build extracts nothing."""
    cache = site / ".briefgen" / "cache.sqlite"
    content = site / "content"
    (content / "draft.md").write_text("---\ntitle: D\ndraft: true\n---\nPutin kept it secret.\n", encoding="utf-8")
    assert build_site(site, jobs=1, drafts=True).published
    (content / "older.md").write_text(article("Older", "2025-07-01", "Putin said “yes” on Friday."), "utf-8")
    (content / "gone.md").write_text(article("Gone", "2025-07-02", "Witkoff flew home."), "utf-8")
    assert build_site(site, jobs=1).published
    (content / "gone.md").unlink()
    Path(f"{cache}.corrupt").write_bytes(b"a cache set aside")

    def rows() -> int:
        db = sqlite3.connect(cache)
        try:
            return db.execute("SELECT count(*) FROM extractions").fetchone()[0]
        finally:
            db.close()

    assert rows() == 5  # the draft, the seed, two versions of older.md, gone.md
    assert main(["build", str(site), "--gc"]) == 0
    out = capsys.readouterr().out
    assert "briefgen: cache: 2 unused extractions removed" in out and "1 set-aside corrupt files removed" in out
    assert rows() == 3 and not Path(f"{cache}.corrupt").exists()
    assert main(["build", str(site), "--drafts"]) == 0  # the draft is still cached: nothing to extract
    assert rows() == 3
    assert main(["build", str(site)]) == 0 and "up to date" not in capsys.readouterr().out
    assert main(["build", str(site), "--gc"]) == 0
    assert "up to date" in (out := capsys.readouterr().out) and "0 unused extractions removed" in out


def test_parallel_build_is_byte_identical(tmp_path: Path) -> None:
    body = SEED.read_text(encoding="utf-8")
    files = {f"content/2025-08-{day:02d}-story-{day}.txt": body for day in range(1, 15)}
    one = make_site(tmp_path / "one", files)
    two = make_site(tmp_path / "two", files)
    assert build_site(one, jobs=1).published
    assert build_site(two, jobs=2).published
    assert tree_bytes(one / "site") == tree_bytes(two / "site")


def test_an_edit_is_extracted_aside_while_the_cache_is_decoded(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With two jobs, an edited article beside cached ones is extracted in a worker process: the same site."""
    import briefgen.pipeline

    build_site(site, jobs=2)
    (site / "content" / "older.md").write_text(article("Older", "2025-07-01", "Putin said “yes” on Friday."), "utf-8")
    made: list[object] = []
    real = briefgen.pipeline._Aside

    def spy(*args: object) -> object:
        made.append(real(*args))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(briefgen.pipeline, "_Aside", spy)
    assert build_site(site, jobs=2).published
    assert len(made) == 1
    assert tree_bytes(site / "site") == clean_build_of(site, site.parent / "clean", "cache.sqlite*")


def test_failed_publish_leaves_previous_site(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site, jobs=1)
    before = tree_bytes(site / "site")
    (site / "content" / "new.md").write_text(article("New", "2025-09-01", "Text of the new one."), encoding="utf-8")
    calls = {"n": 0}
    import briefgen.write

    real = briefgen.write.write_file

    def failing(path: str, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(briefgen.write, "write_file", failing)
    result = build_site(site, jobs=1)
    monkeypatch.undo()
    assert not result.published and "No space left" in result.errors[0].message
    assert tree_bytes(site / "site") == before
    assert not list(site.glob(".site.tmp-*"))


def test_a_build_interrupted_before_it_publishes_leaves_the_next_one_incremental(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the middle of rendering: the site stands, and so does what the last build recorded of it."""
    import briefgen.render

    build_site(site, jobs=1)
    before = tree_bytes(site / "site")
    with (site / "content" / "older.md").open("a", encoding="utf-8") as handle:
        handle.write("\nPutin added on Tuesday that the talks would go on.\n")
    real = briefgen.render.render_page
    calls: list[str] = []

    def interrupted(env: object, page: briefgen.render.Page, *args: object) -> bytes:
        calls.append(page.path)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(env, page, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.render, "render_page", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site(site, jobs=1)
    assert tree_bytes(site / "site") == before
    calls.clear()
    monkeypatch.setattr(briefgen.render, "render_page", lambda *args: calls.append(args[1].path) or real(*args))
    result = build_site(site, jobs=1)
    assert result.published and "briefings/older/index.html" in calls
    assert "briefings/summit/index.html" not in calls, "the unchanged briefing is kept, not rendered again"
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")


def test_the_previous_site_is_removed_in_the_background(site: Path) -> None:
    """Publishing swaps the new site in and hands the old one to a detached ``rm``; a leftover is removed later."""
    build_site(site, jobs=1)
    first = (site / "site" / "index.html").stat().st_ino
    (site / "content" / "new.md").write_text(article("New", "2025-09-01", "Text of the new one."), encoding="utf-8")
    assert build_site(site, jobs=1).published
    assert not leftovers(site)  # neither the staging folder nor the old site is left
    assert (site / "site" / "index.html").stat().st_ino != first
    stray = site / ".site.trash-1-deadbeef" / "briefings" / "x"
    stray.mkdir(parents=True)  # as an rm killed with its session leaves it
    (stray / "index.html").write_text("old", encoding="utf-8")
    (site / "content" / "new.md").unlink()
    assert build_site(site, jobs=1).published
    assert not leftovers(site)


def test_sigkill_during_build_leaves_previous_site_intact(tmp_path: Path) -> None:
    body = SEED.read_text(encoding="utf-8")
    files = {f"content/2025-08-{day:02d}-story-{day}.txt": body for day in range(1, 4)}
    root = make_site(tmp_path / "k", files)
    assert build_site(root, jobs=1).published
    before = tree_bytes(root / "site")
    # Many new articles: the build spends seconds extracting, rendering and writing; kill it at several points.
    for day in range(4, 29):
        (root / "content" / f"2025-08-{day:02d}-story-{day}.txt").write_text(body.replace("Trump", f"Trump{day}"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "briefgen", "build", "--jobs", "1", "--quiet"]
    # How long a whole build of this content takes here, so the kills spread over all of it.
    twin = make_site(
        tmp_path / "twin", {p.relative_to(root).as_posix(): p.read_text() for p in (root / "content").iterdir()}
    )
    started = time.perf_counter()
    subprocess.run([*command, str(twin)], env=env, check=True)
    whole = time.perf_counter() - started
    complete = tree_bytes(twin / "site")
    for fraction in (0.2, 0.5, 0.8, 0.9, 0.95, 0.97, 0.99):
        delay = whole * fraction
        process = subprocess.Popen([*command, str(root)], env=env)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = tree_bytes(root / "site")
        # Either the previous site, untouched, or (if the build finished first) the complete new one: never a mix.
        assert after in (before, complete), f"half-written site after a kill at {delay:.2f} s"
        if after == complete:
            break
    # the next build recovers and publishes everything
    assert main(["build", str(root), "--jobs", "1", "--quiet"]) == 0
    assert len(list((root / "site" / "briefings").iterdir())) == 28
    assert not leftovers(root)


def test_pages_are_streamed_to_staging_and_indexed_there(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each search shard is indexed once its pages are on disk in the staging folder; published only after."""
    import briefgen.site.search

    build_site(site, jobs=1)
    (site / "content" / "new.md").write_text(article("New", "2025-09-01", "Witkoff met Putin."), encoding="utf-8")
    real = briefgen.site.search.index_shard_in_place
    seen: dict[str, object] = {}

    def spying(folder: Path, name: str, pages: list[str], config: object, live: Path | None = None) -> object:
        seen[name] = {
            "missing": [p for p in pages if not (folder / p).is_file()],
            "published": (site / "site" / "briefings" / "new").exists(),
            "staged": (folder / "briefings" / "new" / "index.html").is_file(),
        }
        return real(folder, name, pages, config, live)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.site.search, "index_shard_in_place", spying)
    summit = site / "site" / "briefings" / "summit" / "index.html"
    before = summit.stat().st_ino
    assert build_site(site, jobs=1).published
    assert seen["2025-09"] == {"missing": [], "published": False, "staged": True}, "the new month is indexed"
    assert seen["actors"] == {"missing": [], "published": False, "staged": seen["actors"]["staged"]}  # type: ignore[index]
    assert summit.stat().st_ino == before, "an unchanged page is hard-linked from the previous site, not rewritten"
    assert (site / "site" / "pagefind" / "2025-09" / "pagefind.js").is_file()


def html_stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*.html")}


def test_an_edit_naming_no_new_actor_renders_only_its_briefings_page(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Actor, tag and list pages depend on what they show, not on whole briefings: not rendered, not touched."""
    import briefgen.render

    lead = (
        "Putin met Witkoff in Moscow on Monday, and the two men spoke for three hours about the war, the sanctions, "
        "the oil price cap, the prisoners, the grain corridor and the summit that both sides have said could follow "
        "within weeks if the talks on a ceasefire go as well as officials on both sides now hope they will."
    )
    (site / "content" / "talks.md").write_text(article("Talks", "2025-08-04", lead), encoding="utf-8")
    build_site(site, jobs=1)
    before = html_stats(site / "site")
    assert {"actors/putin/index.html", "actors/witkoff/index.html"} <= before.keys()
    with (site / "content" / "talks.md").open("a", encoding="utf-8") as handle:
        handle.write("\nNothing more was said.\n")
    rendered: list[str] = []
    real = briefgen.render.render_page

    def spying(env: object, page: briefgen.render.Page, *args: object) -> bytes:
        rendered.append(page.path)
        return real(env, page, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.render, "render_page", spying)
    details = briefgen.render.briefing_details_json
    monkeypatch.setattr(
        briefgen.render, "briefing_details_json", lambda b: rendered.append(b.article.slug) or details(b)
    )
    monkeypatch.setattr(briefgen.render, "deadlines_calendar", lambda *args: rendered.append("deadlines.ics"))
    result = build_site(site, jobs=1)
    assert rendered == ["talks", "briefings/talks/index.html"], "only the edited briefing's JSON and page are made"
    assert result.published and not result.up_to_date
    after = html_stats(site / "site")
    assert after.keys() == before.keys()
    assert sorted(p for p in after if after[p] != before[p]) == ["briefings/talks/index.html"]
    assert "Nothing more was said" in (site / "site" / "briefings" / "talks" / "index.html").read_text("utf-8")


def test_a_template_change_renders_again_only_the_pages_made_with_it(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's digest covers its own template and those it extends, includes or imports, not every file of
    ``templates/``: a stylesheet (copied, never rendered) re-renders nothing, ``actor.html`` the actor pages only."""
    import briefgen.render
    from briefgen.render import PACKAGE_TEMPLATES

    build_site(site, jobs=1)
    rendered: list[str] = []
    real = briefgen.render.render_page
    monkeypatch.setattr(briefgen.render, "render_page", lambda *args: rendered.append(args[1].path) or real(*args))
    templates = site / "templates"
    (templates / "static").mkdir(parents=True)
    css = (PACKAGE_TEMPLATES / "static" / "style.css").read_text(encoding="utf-8")
    (templates / "static" / "style.css").write_text(css + "\n.tweak { color: red; }\n", encoding="utf-8")
    result = build_site(site, jobs=1)
    assert result.published and rendered == []
    assert result.stats is not None and result.stats.changed == ("static/style.css",)
    actor = (PACKAGE_TEMPLATES / "actor.html").read_text(encoding="utf-8")
    assert "{% block main %}" in actor
    (templates / "actor.html").write_text(actor.replace("{% block main %}", "{% block main %}<!-- tweak -->"), "utf-8")
    result = build_site(site, jobs=1)
    assert result.published and rendered and all(path.startswith("actors/") for path in rendered)
    assert "actors/putin/index.html" in rendered and "actors/index.html" not in rendered  # actors.html: not changed
    assert "<!-- tweak -->" in (site / "site" / "actors" / "putin" / "index.html").read_text(encoding="utf-8")
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")
    rendered.clear()
    base = (PACKAGE_TEMPLATES / "base.html").read_text(encoding="utf-8")
    (templates / "base.html").write_text(base + "<!-- footer tweak -->\n", encoding="utf-8")
    assert build_site(site, jobs=1).published
    assert "briefings/summit/index.html" in rendered and "actors/index.html" in rendered  # every page extends it
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean-again")


def test_an_edit_reindexes_only_its_months_search_shard(site: Path) -> None:
    build_site(site, jobs=1)
    pagefind = site / "site" / "pagefind"
    assert {p.name for p in pagefind.iterdir()} == {"2025-08", "2025-07", "actors"}

    def inodes(shard: str) -> dict[str, int]:
        return {
            p.relative_to(pagefind).as_posix(): p.stat().st_ino for p in (pagefind / shard).rglob("*") if p.is_file()
        }

    before = {shard: inodes(shard) for shard in ("2025-08", "2025-07")}
    (site / "content" / "older.md").write_text(article("Older news", "2025-07-01", "Talks resumed in Gdansk."), "utf-8")
    result = build_site(site, jobs=1)
    assert inodes("2025-08") == before["2025-08"]  # not indexed again: the very files
    after = inodes("2025-07")
    assert after != before["2025-07"]
    # Indexed again, its files with the same bytes (Pagefind's scripts and styles) are still the published ones, and
    # are not reported changed: a changed script or style reloads every page open in ``briefgen serve``.
    assert {"2025-07/pagefind.js", "2025-07/pagefind-ui.css"} <= {
        p for p in after if before["2025-07"].get(p) == after[p]
    }
    assert result.stats is not None and not [p for p in result.stats.changed if p.endswith((".js", ".css"))]
    assert not (site / "site" / "search" / "index.html").read_text(encoding="utf-8").count("pagefind/pagefind-ui.js")


def test_a_one_shot_build_lets_the_model_go_before_rendering(site: Path) -> None:
    """The CLI and the server's child builds: the model loaded for the changed article is not held while rendering."""
    script = (
        "import sys; from pathlib import Path; import briefgen.render as r; from briefgen.nlp import load_nlp\n"
        "from briefgen.build import build_site\n"
        "seen = []; real = r.render_site_files\n"
        "def spy(*a, **k):\n"
        "    seen.append(load_nlp.cache_info().currsize)\n"
        "    return real(*a, **k)\n"
        "r.render_site_files = spy\n"
        "result = build_site(Path(sys.argv[1]), jobs=1, release_model=True)\n"
        "print(result.published, seen)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(site)], capture_output=True, text=True, cwd=REPO)
    assert done.stdout.strip() == "True [0]", done.stdout + done.stderr


def test_a_resident_process_builds_edits_from_what_it_kept_and_the_site_is_a_clean_builds(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``briefgen serve``'s build process keeps the articles it read, the extractions it decoded, the outlines, the
    actor index, the plans of the pages, the deadlines and calendar events, the pages' copies for Pagefind and the
    records of ``briefings.json`` between builds (``watch.KeptBetweenBuilds``): an edit that names the same actors is
    indexed from the last index, one that names a new actor anew, and so is a new article newer than the others,
    naming a known actor and a new one, then rewritten to name others, then deleted; after each the site is byte for
    byte a clean build's."""
    import briefgen.build
    import briefgen.cache
    import briefgen.pipeline
    import briefgen.readers.memo
    import briefgen.render
    import briefgen.site.actors
    import briefgen.site.deadlines
    import briefgen.site.feeds
    import briefgen.site.ical
    import briefgen.site.search

    not_resident(monkeypatch)
    briefgen.site.deadlines.keep_deadlines()
    briefgen.site.ical.keep_calendar()
    briefgen.render.keep_plans()
    briefgen.pipeline.keep_extractions()
    briefgen.site.search.keep_copies()
    briefgen.cache.keep_decoded()
    briefgen.readers.memo.keep_read()
    briefgen.build.keep_outlines()
    kept = briefgen.site.actors.keep_index()
    briefgen.site.feeds.keep_records()
    older = site / "content" / "older.md"
    assert build_site(site, jobs=1).published
    edits = [
        (article("Older news", "2025-07-01", "Putin said on Monday that talks “went well” and would go on."), 1),
        (article("Older news", "2025-07-01", "Putin said on Monday that talks “went badly”."), 2),
        (article("Older news", "2025-07-01", "Putin told Witkoff on Monday that talks “went badly”."), 2),
        (article("Older news", "2025-07-01", "Putin told Witkoff on Monday that talks “went well”."), 3),
    ]
    newest = site / "content" / "newest.md"
    added = article("Newest news", "2030-01-02", "Putin told Kaja Kallas on Friday that the talks “went well”.")
    rewritten = article("Newest news", "2030-01-02", "Witkoff told Keir Starmer on Friday that “nothing” was agreed.")
    steps = [*edits, (added, 4), (rewritten, 5), (None, 6)]  # written, rewritten naming others, deleted
    for number, (text, edits_after) in enumerate(steps):
        if text is None:
            newest.unlink()
        else:
            (older if (text, edits_after) in edits else newest).write_text(text, encoding="utf-8")
        assert build_site(site, jobs=1).published
        assert kept.edits == edits_after, f"edit {number}"
        clean = clean_build_elsewhere(monkeypatch, site, tmp_path / f"clean-{number}")
        assert tree_bytes(site / "site") == clean, f"edit {number}"


def test_root_files_are_published_at_the_top_of_the_site(site: Path) -> None:
    """``templates/root``: a custom domain's CNAME, robots.txt, GitHub Pages' .nojekyll, a .well-known folder."""
    root = site / "templates" / "root"
    (root / ".well-known").mkdir(parents=True)
    (root / "CNAME").write_text("news.example.org\n", encoding="utf-8")
    (root / ".nojekyll").write_bytes(b"")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    (root / ".well-known" / "security.txt").write_text("Contact: mailto:desk@example.org\n", encoding="utf-8")
    assert build_site(site, jobs=1).published
    output = site / "site"
    assert (output / "CNAME").read_text(encoding="utf-8") == "news.example.org\n"
    assert (output / ".nojekyll").is_file() and (output / ".well-known" / "security.txt").is_file()
    names = {p.name for p in output.iterdir()}
    assert names - {"CNAME", ".nojekyll", "robots.txt", ".well-known"} <= SITE_NAMES  # what the site makes itself
    # Changed, removed: the next build follows (its own .nojekyll is not taken for a stranger's file).
    (root / "CNAME").write_text("briefs.example.org\n", encoding="utf-8")
    (root / "robots.txt").unlink()
    result = build_site(site, jobs=1)
    assert result.published and not result.problems
    assert (output / "CNAME").read_text(encoding="utf-8") == "briefs.example.org\n"
    assert not (output / "robots.txt").exists()


@pytest.mark.parametrize("name", ["index.html", "static/site.css", "feed.xml"])
def test_a_root_file_cannot_replace_what_the_site_makes(site: Path, name: str) -> None:
    path = site / "templates" / "root" / name
    path.parent.mkdir(parents=True)
    path.write_text("mine\n", encoding="utf-8")
    result = build_site(site, jobs=1)
    [error] = result.errors
    assert error.path == str(path) and "a file of templates/root cannot replace it" in error.message
    assert not result.published
