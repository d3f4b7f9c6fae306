"""``briefgen extract``: one article to its briefing or JSON, and ``--jsonl`` evaluation records; bad input named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.helpers import SEED

LINES = [
    {"id": "a", "text": "Putin said on Monday that talks went well.", "dct": "2025-08-06"},
    {"id": "b", "text": "“We will go,” Trump told reporters in Washington on Friday.", "dct": "2025-08-06T09:00"},
]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_extract_prints_the_briefing_and_its_json(
    nlp: object, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["extract", str(SEED), "--date", "2025-08-06", "--site", str(tmp_path)]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("---\n") and "## Source text" in markdown
    out = tmp_path / "seed.json"
    assert (
        main(["extract", str(SEED), "--json", "--date", "2025-08-06", "--out", str(out), "--site", str(tmp_path)]) == 0
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert any(actor["name"] == "Steve Witkoff" for actor in data["actors"])


def test_jsonl_records_hold_their_spans(nlp: object, tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(line) for line in LINES])
    out = tmp_path / "out.jsonl"
    assert main(["extract", "--jsonl", str(source), "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    for record, line in zip(records, LINES, strict=True):
        for item in (*record["entities"], *record["timexes"], *record["quotes"]):
            assert line["text"][item["start"] : item["end"]] == item["text"]
    assert records[0]["timexes"][0]["value"] == "2025-08-04"  # Monday before the document's date
    [quote] = records[1]["quotes"]
    assert quote["speaker"] == "Trump"


def test_bad_jsonl_lines_are_named_and_nothing_is_written(
    nlp: object, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Each was a traceback (the first stopped the run): not JSON, not an object, no text."""
    lines = [json.dumps(LINES[0]), "not json", "[]", '{"id": 1}', "", '{"text": 5}']
    source = write_lines(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    assert main(["extract", "--jsonl", str(source), "--out", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{source}:2: error: not JSON: Expecting value: line 1 column 1 (char 0)",
        f"{source}:3: error: expected a JSON object, not list",
        f"{source}:4: error: no 'text' string",
        f"{source}:6: error: no 'text' string",
    ]
    assert not out.exists()


def test_a_dct_that_is_not_a_date_is_a_warning(nlp: object, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": "x", "text": "Talks end on Friday.", "dct": 2025})])
    out = tmp_path / "out.jsonl"
    assert main(["extract", "--jsonl", str(source), "--out", str(out)]) == 0
    assert f"{source}:1: warning: 'dct' 2025 is not a date" in capsys.readouterr().err
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["timexes"][0]["value"] == ""  # unresolved, never against today


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["extract", "--jsonl", "missing.jsonl"], 1, "briefgen: error: cannot read missing.jsonl: No such file"),
        (["extract", "--jsonl", "{good}", "--out", "no/such/folder/out.jsonl"], 1, "cannot write no/such/folder"),
        (["extract", str(SEED), "--date", "2025-13-01"], 2, "argument --date: not a date (YYYY-MM-DD): '2025-13-01'"),
    ],
)
def test_unusable_arguments_are_named(
    nlp: object,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    status: int,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    good = write_lines(tmp_path / "good.jsonl", [json.dumps(LINES[0])])
    args = [arg.replace("{good}", str(good)) for arg in args]
    try:
        assert main(args) == status
    except SystemExit as exit:
        assert exit.code == status
    assert message in capsys.readouterr().err
