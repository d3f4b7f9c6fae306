"""The catalogue of bad input: each case with the behaviour an editor should get.

Every bad article is reported with its file (and line where there is one); ``build`` exits non-zero
only for errors (``--strict``: warnings too); the other articles are still published.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.cli import main
from tests.helpers import leftovers, make_site, tree_bytes

GOOD = "---\ntitle: Good\ndate: 2025-08-06\n---\nPutin said on Monday that talks “went well”.\n"

# (case, file name, bytes, level, message fragment, line)
CATALOGUE: list[tuple[str, str, bytes, str | None, str, int | None]] = [
    ("empty file", "empty.txt", b"", "error", "the file is empty", None),
    ("only blank lines", "blank.md", b"\n \n\t\n", "error", "the file is empty", None),
    ("binary file", "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "error", "binary file", None),
    ("cp1252 text", "cp.txt", "Caf\u00e9 owners said \u201cno\u201d.\n".encode("cp1252"), "warning", "Windows-1252", 1),
    ("latin-1 text", "latin.txt", "Second line\nZ\u00fcrich officials agreed.\n".encode("latin-1"), "warning",
     "Windows-1252", 2),
    ("UTF-16 without a byte-order mark", "u16.txt", "Officials met on Friday.\n".encode("utf-16-le"), "error",
     "UTF-16 text without a byte-order mark", None),
    ("undecodable bytes", "junk.txt", b"Officials said\n\x81\x8d\x8f\x90\x9d text.\n", "error", "not UTF-8", 2),
    ("invalid YAML front matter", "yaml.md", b"---\ntitle: ok\ntags: [a, b\n---\nBody.\n", "error",
     "invalid YAML front matter", 4),
    ("YAML tag building a Python object", "tag.md",
     b"---\ntitle: !!python/object/apply:os.system ['touch PWNED']\n---\nBody.\n", "error",
     "invalid YAML front matter", None),
    ("unknown front-matter key", "unknown.md", b"---\ntitle: x\ndate: 2025-08-06\nauthr: me\n---\nBody text.\n",
     "warning", "unknown front-matter key 'authr'", 4),
    ("impossible date", "date.md", b"---\ntitle: x\ndate: 2025-02-30\n---\nBody.\n", "error", "invalid date", 3),
    ("missing date", "nodate.md", b"---\ntitle: x\n---\nBody on Friday.\n", "warning", "no date", None),
    ("slug leaving the output folder", "evil.md", b"---\ntitle: x\nslug: ../../outside\n---\nBody.\n", "error",
     "invalid slug", 3),
    ("absolute slug", "abs.md", b"---\ntitle: x\nslug: /etc/passwd\n---\nBody.\n", "error", "invalid slug", 3),
    ("front matter not a mapping", "list.md", b"---\n- a\n- b\n---\nBody.\n", "error", "must be a mapping", 2),
    # Its settings were published as the briefing's first paragraph, and its title.
    ("front matter never closed", "open.md", b"---\ntitle: x\ndate: 2025-08-06\nBody on Friday.\n", "error",
     "the front matter opened here is not closed", 1),
    ("front matter and no text", "stub.md", b"---\ntitle: x\ndate: 2025-08-06\n---\n", "warning",
     "no article text: its briefing is empty", None),
    ("a wire trailer and no text", "trailer.txt", b"Source: Reuters\n(jh)\n", "warning", "no article text", None),
    # Characters no feed can hold (XML forbids them): they once crashed the whole build, in the feed's writer.
    ("a control character in wire copy", "bell.txt", b"Officials met on Friday.\nTalks\x07 went on.\n", "warning",
     "control character U+0007 replaced by a space", 2),
    ("control characters in Markdown", "ff.md", b"---\ntitle: x\ndate: 2025-08-06\n---\nA\x0bB\x1bC on Friday.\n",
     "warning", "2 control characters (the first U+000B) replaced by spaces", 5),
    ("an escaped NUL in the title", "nul.md", b'---\ntitle: "A \\u0000 title"\ndate: 2025-08-06\n---\nBody.\n',
     "warning", "control character U+0000 in the title replaced by a space", None),
    ("an escaped ESC in a tag", "tag.md", b'---\ntitle: x\ndate: 2025-08-06\ntags: ["a\\u001b[31m"]\n---\nBody.\n',
     "warning", "control character U+001B in the tags replaced by a space", None),
]  # fmt: skip


@pytest.mark.parametrize(("case", "name", "data", "level", "message", "line"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_bad_article_is_reported_and_the_rest_published(
    tmp_path: Path, case: str, name: str, data: bytes, level: str, message: str, line: int | None
) -> None:
    root = make_site(tmp_path / "s", {"content/good.md": GOOD, f"content/{name}": data})
    os.chdir(tmp_path)
    result = build_site(root, jobs=1)
    matching = [p for p in result.problems if message in p.message]
    assert matching, f"{case}: {result.problems}"
    problem = matching[0]
    assert problem.level == level
    assert problem.path == f"content/{name}"
    if line is not None:
        assert problem.line == line
    assert result.published, "the other articles are still published"
    assert (root / "site" / "briefings" / "good" / "index.html").is_file()
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()
    exit_code = main(["build", str(root), "--jobs", "1", "--quiet"])
    assert exit_code == (1 if level == "error" else 0)
    assert main(["build", str(root), "--jobs", "1", "--quiet", "--strict"]) == 1


def test_bom_and_crlf_read_cleanly(tmp_path: Path) -> None:
    data = "\ufeff---\r\ntitle: Windows\r\ndate: 2025-08-06\r\n---\r\nTrump said on Friday it ends.\r\n".encode()
    root = make_site(tmp_path / "s", {"content/win.md": data})
    result = build_site(root, jobs=1)
    assert result.problems == () and result.published
    markdown = (root / "site" / "briefings" / "win" / "briefing.md").read_text(encoding="utf-8")
    assert 'title: "Windows"' in markdown and "\r" not in markdown


def test_notepad_unicode_text_is_published(tmp_path: Path) -> None:
    """Windows Notepad's "Unicode": UTF-16 with a byte-order mark and CRLF line ends; read as the UTF-8 would be."""
    text = "---\r\ntitle: Łódź talks\r\ndate: 2025-08-06\r\n---\r\nTrump said on Friday it ends.\r\n"
    root = make_site(tmp_path / "s", {"content/win.md": b"\xff\xfe" + text.encode("utf-16-le")})
    result = build_site(root, jobs=1)
    assert result.problems == () and result.published
    page = (root / "site" / "briefings" / "win" / "index.html").read_text(encoding="utf-8")
    assert "Łódź talks" in page and "Trump said on Friday it ends." in page


# ---------------------------------------------------------------- an output folder that would take the editor's files


@pytest.mark.parametrize(
    ("output_dir", "message"),
    [
        (".", "is the site folder"),
        ("./", "is the site folder"),
        ("content", "is the content folder"),
        ("templates", "is the templates folder"),
        (".briefgen", "is the build's records (.briefgen)"),
        ("content/site", "is inside the content folder: the next build would read the site as its own input"),
        ("templates/site", "is inside the templates folder"),
    ],
)
def test_an_output_folder_that_holds_the_site_is_refused(tmp_path: Path, output_dir: str, message: str) -> None:
    """Publishing swaps the whole output folder: ``output_dir: .`` once put the site in place of the site folder,
    and ``content`` in place of the articles (moved aside, then deleted by the next build)."""
    files = {"content/good.md": GOOD, "templates/static/extra.css": "p {}\n"}
    root = make_site(tmp_path / "s", files, f"title: T\noutput_dir: '{output_dir}'\n")
    (root / ".briefgen").mkdir()
    (root / ".briefgen" / "cache.sqlite").write_bytes(b"records")
    before = tree_bytes(tmp_path)
    result = build_site(root, jobs=1)
    [error] = result.errors
    assert (error.path, error.line) == (str(root / "briefgen.yml"), 2)
    assert message in error.message and "the output folder" in error.message
    assert not result.published
    assert tree_bytes(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]
    assert main(["build", str(root), "--jobs", "1", "--quiet"]) == 1


@pytest.mark.parametrize(("out", "message"), [("..", "holds the site folder"), ("content/x", "inside the content")])
def test_an_out_folder_that_holds_the_site_is_refused(tmp_path: Path, out: str, message: str) -> None:
    root = make_site(tmp_path / "s", {"content/good.md": GOOD})
    before = tree_bytes(tmp_path)
    [error] = build_site(root, out=root / out, jobs=1).errors
    assert error.path == "--out" and message in error.message
    assert tree_bytes(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_an_out_folder_briefgen_did_not_write_is_left_alone(tmp_path: Path) -> None:
    """``--out ~/Documents`` moved the folder aside as the spare, and the next build deleted what it held."""
    root = make_site(tmp_path / "s", {"content/good.md": GOOD})
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "draft.txt").write_text("mine\n", encoding="utf-8")
    before = tree_bytes(tmp_path)
    for _ in range(2):
        result = build_site(root, out=tmp_path / "notes", jobs=1)
        [error] = result.errors
        assert error.path == "--out" and "holds what briefgen did not write (draft.txt)" in error.message
    assert tree_bytes(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "s"]
    assert build_site(root, out=tmp_path / "empty", jobs=1).published  # a new folder, or an empty one, is fine
    (root / "site").write_text("mine\n", encoding="utf-8")  # a file where the output folder goes
    [error] = build_site(root, jobs=1).errors
    assert error.message == f"the output folder {root / 'site'} is a file, which a build would delete: move it away"
    assert (root / "site").read_text(encoding="utf-8") == "mine\n" and not (root / ".site.spare").exists()


@pytest.mark.parametrize("command", [["build"], ["build", "--watch"], ["build", "--format", "mkdocs"], ["serve"]])
def test_a_site_folder_that_is_not_there_is_an_error_and_nothing_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """``briefgen build /srv/briefs`` with a typo made that folder, with an empty site in it."""
    missing = tmp_path / "typo"
    assert main([*command, str(missing)]) == 1
    assert f"{missing}: error: the site folder does not exist" in capsys.readouterr().err
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_a_file_where_the_records_folder_goes_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It ended the build in a fault of briefgen's ("FileExistsError ... please report it")."""
    root = make_site(tmp_path / "s", {"content/good.md": GOOD, ".briefgen": "my notes\n"})
    assert main(["build", str(root), "--jobs", "1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{root / '.briefgen'}: error: is a file where the build keeps its records" in err
    assert (root / ".briefgen").read_text(encoding="utf-8") == "my notes\n" and not (root / "site").exists()


def test_a_mistyped_content_folder_keeps_the_published_site(tmp_path: Path) -> None:
    """A content folder that is not there was an error, and the build published an empty site all the same."""
    root = make_site(tmp_path / "s", {"content/good.md": GOOD})
    assert build_site(root, jobs=1).published
    before = tree_bytes(root / "site")
    (root / "briefgen.yml").write_text("title: T\ncontent_dir: contnet\n", encoding="utf-8")
    result = build_site(root, jobs=1)
    [error] = result.errors
    assert error.message == "content folder not found" and error.path == str(root / "contnet")
    assert not result.published and tree_bytes(root / "site") == before
    assert main(["build", str(root), "--jobs", "1", "--quiet"]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--port", "99999"], "argument --port: not a port (0 to 65535): '99999'"),
        (["build", "--jobs", "-1"], "argument --jobs/-j: not a number of processes (0 for every core): '-1'"),
    ],
)
def test_an_argument_out_of_range_is_refused(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exit:
        main(args)
    assert exit.value.code == 2 and message in capsys.readouterr().err


def test_two_articles_with_the_same_slug(tmp_path: Path) -> None:
    root = make_site(tmp_path / "s", {"content/a/story.md": GOOD, "content/b/story.md": GOOD})
    result = build_site(root, jobs=1)
    [error] = result.errors
    assert error.path == "content/b/story.md" and "already used by a/story.md" in error.message
    assert result.published


def test_symlink_out_of_content_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The password is hunter2.\n")
    root = make_site(tmp_path / "s", {"content/good.md": GOOD})
    (root / "content" / "leak.txt").symlink_to(secret)
    result = build_site(root, jobs=1)
    [error] = result.errors
    assert "symlink leads outside the content folder" in error.message and error.path.endswith("leak.txt")
    assert b"hunter2" not in b"".join(tree_bytes(root / "site").values())


def test_a_symlink_added_to_an_up_to_date_site_is_reported(tmp_path: Path) -> None:
    """Discovery leaves such a file out, so the inputs looked unchanged: "up to date, 0 errors", exit status 0."""
    root = make_site(tmp_path / "s", {"content/good.md": GOOD})
    assert build_site(root, jobs=1).published
    (root / "content" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    for _ in range(2):  # the build that finds it, then the one that has nothing to do and repeats it
        [error] = build_site(root, jobs=1).errors
        assert error.path.endswith("gone.txt") and "symlink" in error.message
    assert main(["build", str(root), "--jobs", "1", "--quiet"]) == 1


def test_control_characters_in_a_file_name_are_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name holding an escape code reached the terminal raw with the file's warnings (here: it has no date)."""
    root = make_site(
        tmp_path / "s", {"content/good.md": GOOD, "content/red\x1b[31m\nname.txt": "Talks end on Friday.\n"}
    )
    assert main(["build", str(root), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "content/red\\x1b[31m\\nname.txt: warning:" in err and "\x1b" not in err


def test_five_megabyte_article_is_bounded(tmp_path: Path) -> None:
    paragraph = "Trump said on Friday that the sanctions “will bite” and Putin disagreed in Moscow. " * 12
    data = "\n".join(paragraph for _ in range(5 * 1024 * 1024 // len(paragraph)))
    root = make_site(tmp_path / "s", {"content/2025-08-06-huge.txt": data})
    result = build_site(root, jobs=1)
    assert result.published
    assert any("facts were extracted from the first" in p.message for p in result.warnings)
    page = root / "site" / "briefings" / "huge" / "briefing.md"
    assert page.stat().st_size > 5 * 1024 * 1024, "the whole text is still published"


def test_unterminated_quote_does_not_swallow_the_article(tmp_path: Path) -> None:
    text = "Putin said “we will never agree.\nTrump said on Friday that talks were over.\nMore text follows here.\n"
    root = make_site(tmp_path / "s", {"content/2025-08-06-open.txt": text})
    result = build_site(root, jobs=1)
    assert result.published
    [briefing] = result.briefings
    for quote in briefing.extraction.quotes:
        assert quote.span.end - quote.span.start < len(briefing.article.text) // 2


def test_deeply_nested_markdown(tmp_path: Path) -> None:
    nested = "> " * 5000 + "Deep text.\n\n" + "".join("  " * i + "- item\n" for i in range(2000))
    root = make_site(tmp_path / "s", {"content/deep.md": "---\ntitle: Deep\ndate: 2025-08-06\n---\n" + nested})
    result = build_site(root, jobs=1)
    assert result.published and not result.errors


def test_invalid_config_names_file_and_line(tmp_path: Path) -> None:
    root = make_site(tmp_path / "s", {"content/good.md": GOOD}, config="title: x\noutput_dir: ../../etc\n")
    result = build_site(root, jobs=1)
    assert not result.published
    [error] = result.errors
    assert error.path.endswith("briefgen.yml") and error.line == 2 and "inside the site" in error.message


def test_a_control_character_in_a_setting_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    """A site title of "\\u0007" would have reached every page and crashed the feed's writer."""
    config = 'title: x\ndescription: "Wire \\u0007 copy"\n'
    root = make_site(tmp_path / "s", {"content/good.md": GOOD}, config=config)
    result = build_site(root, jobs=1)
    assert not result.published
    [error] = result.errors
    assert error.path.endswith("briefgen.yml") and error.line == 2
    assert error.message == "'description' holds a control character (U+0007), which no page or feed can hold"


@pytest.mark.parametrize("title", ["''", '"  "'])
def test_an_empty_site_title_is_an_error_naming_file_and_line(tmp_path: Path, title: str) -> None:
    """The Atom feed needs a title: ``title: ''`` ended the build in feedgen's ValueError (a fault, exit 2)."""
    root = make_site(tmp_path / "s", {"content/good.md": GOOD}, config=f"language: en\ntitle: {title}\n")
    [error] = build_site(root, jobs=1).errors
    assert error.path.endswith("briefgen.yml") and error.line == 2
    assert error.message.startswith("'title' must not be empty")
    assert main(["build", str(root), "--jobs", "1", "--quiet"]) == 1


def test_a_control_character_in_the_actor_registry_is_an_error(tmp_path: Path) -> None:
    registry = '- name: Donald Trump\n  description: "US \\u0007 president"\n'
    root = make_site(tmp_path / "s", {"content/good.md": GOOD, "actors.yml": registry})
    result = build_site(root, jobs=1)
    assert not result.published
    [error] = result.errors
    assert error.path.endswith("actors.yml")
    assert error.message == "actor #1 ('Donald Trump'): holds a control character (U+0007)"


def test_registry_keys_that_are_not_text_are_warned_about(tmp_path: Path) -> None:
    """YAML reads ``on:`` as True and ``~:`` as null: once a crash of the whole build, sorting them with the names."""
    registry = "- name: Donald Trump\n  on: duty\n  ~: x\n  colour: red\n"
    root = make_site(tmp_path / "s", {"content/good.md": GOOD, "actors.yml": registry})
    result = build_site(root, jobs=1)
    assert result.published and not result.errors
    messages = [p.message for p in result.warnings if p.path.endswith("actors.yml")]
    assert messages == [
        f"actor #1 (Donald Trump): unknown key {key!r}" for key in sorted([True, None, "colour"], key=str)
    ]


def test_a_registry_role_that_is_a_list_is_an_error(tmp_path: Path) -> None:
    """``role: [President]`` was shown as "['President']" on the actor's page."""
    registry = "- name: Donald Trump\n  role: [President]\n"
    root = make_site(tmp_path / "s", {"content/good.md": GOOD, "actors.yml": registry})
    [error] = build_site(root, jobs=1).errors
    assert error.path.endswith("actors.yml")
    assert error.message == "actor #1: role and description must be text"


def test_invalid_actor_registry_names_file_and_line(tmp_path: Path) -> None:
    root = make_site(tmp_path / "s", {"content/good.md": GOOD, "actors.yml": "- name: Trump\n  kind: [oops\n"})
    result = build_site(root, jobs=1)
    assert not result.published
    [error] = result.errors
    assert error.path.endswith("actors.yml") and error.line is not None


def test_failing_extractor_is_reported_and_the_briefing_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import briefgen.extract as extract

    def broken(*args: object, **kwargs: object) -> tuple[()]:
        raise RuntimeError("quote model exploded")

    monkeypatch.setattr(extract, "extract_quotes", broken)
    root = make_site(tmp_path / "s", {"content/good.md": GOOD})
    result = build_site(root, jobs=1)
    assert result.published and not result.errors
    [warning] = [p for p in result.warnings if "quotes extraction failed" in p.message]
    assert warning.path == "content/good.md" and "quote model exploded" in warning.message
    markdown = (root / "site" / "briefings" / "good" / "briefing.md").read_text(encoding="utf-8")
    assert "failed" in markdown.split("## Summary")[0], "the briefing says which part is missing"
    assert "Putin" in markdown, "the rest of the extraction is there"


def test_two_builds_at_once_do_not_corrupt_each_other(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = make_site(tmp_path / "s", {f"content/2025-08-0{i}-a{i}.md": GOOD for i in range(1, 6)})
    command = [sys.executable, "-m", "briefgen", "build", str(root), "--jobs", "1", "--quiet"]
    runs = [subprocess.Popen(command) for _ in range(3)]
    assert [run.wait(timeout=600) for run in runs] == [0, 0, 0]
    clean = make_site(tmp_path / "clean", {f"content/2025-08-0{i}-a{i}.md": GOOD for i in range(1, 6)})
    assert build_site(clean, jobs=1).published
    assert tree_bytes(root / "site") == tree_bytes(clean / "site")
    assert not leftovers(root)


def test_a_fault_of_briefgen_is_one_line_and_a_log_and_the_site_stays_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not bad input: a bug (here, the feed's writer raising). As Sphinx does: one line naming it, the traceback in a
    file to attach to a report, exit status 2; the published site is the last build's, whole."""
    import tempfile

    root = make_site(tmp_path / "s", {"content/good.md": GOOD})
    assert main(["build", str(root), "--jobs", "1", "--quiet"]) == 0
    before = tree_bytes(root / "site")
    (root / "content" / "good.md").write_text(GOOD.replace("Monday", "Tuesday"), encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("a bug in the feed")

    monkeypatch.setattr("briefgen.render.atom_feed", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    capsys.readouterr()
    assert main(["build", str(root), "--jobs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefgen: internal error: RuntimeError: a bug in the feed\n"), err
    [log] = tmp_path.glob("briefgen-error-*.log")
    assert log.name in err and "Traceback" in log.read_text(encoding="utf-8")
    assert tree_bytes(root / "site") == before
    assert not leftovers(root)
