"""The benchmark scripts run: each on material of its own making, so a change elsewhere cannot leave one broken.

``benchmarks/extraction.py`` reads the shared evaluation folder, which a clone does not have; here it reads a
folder of three made-up documents with a scorer that reports what it was given, in the real scorer's shape.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.helpers import REPO

DOCUMENT = (
    'Volodymyr Zelensky said on Friday that talks would resume. "We will not wait," Zelensky told reporters in Kyiv.'
)

# Counts what it was given: the gold documents and the predicted entities, timexes and quotes, as F1 figures.
SCORER = """
import json, sys
gold = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
pred = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
n = lambda layer: float(sum(len(p.get(layer, [])) for p in pred))
f1 = lambda value: {"f1": value}
print(json.dumps({
    "entities": {"overlap": {"micro": f1(n("entities")), "PERSON": f1(len(gold)), "ORG": f1(0.0), "PLACE": f1(0.0)}},
    "timexes": {"detection_relaxed": f1(n("timexes")), "detection_strict": f1(0.0), "value_te3_style": f1(0.0),
                "full_date_normalisation": {"accuracy_end_to_end": 0.0}},
    "quotes": {"span_overlap": f1(n("quotes")), "speaker": {"accuracy_end_to_end": 0.0,
               "accuracy_given_matched": 0.0, "accuracy_end_to_end_nonpronoun_gold": 0.0}},
}))
"""


def test_the_extraction_benchmark_scores_every_set(tmp_path: Path) -> None:
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "score.py").write_text(SCORER, encoding="utf-8")
    for name in ("meantime_ner", "tempeval3_tbaq", "polnear"):
        line = json.dumps({"id": f"{name}-1", "dct": "2025-08-08", "text": DOCUMENT})
        (folder / f"{name}.dev.jsonl").write_text(line + "\n", encoding="utf-8")
    out = tmp_path / "out"
    script = REPO / "benchmarks" / "extraction.py"
    command = [sys.executable, str(script), "--eval", str(folder), "--out", str(out)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "| entities | MEANTIME dev | briefgen | overlap micro F1 " in run.stdout
    assert "| time | TBAQ dev | briefgen | relaxed F1 1.000" in run.stdout  # "on Friday"
    assert "| quotes | PolNeAR dev | briefgen | span F1 1.000" in run.stdout
    assert "words/s with extraction" in run.stdout
    (record,) = [json.loads(line) for line in (out / "meantime_ner.briefgen.jsonl").read_text().splitlines()]
    people = {DOCUMENT[e["start"] : e["end"]] for e in record["entities"] if e["type"] == "PERSON"}
    assert "Volodymyr Zelensky" in people
    (quotes,) = [json.loads(line)["quotes"] for line in (out / "polnear.briefgen.jsonl").read_text().splitlines()]
    assert [(q["text"], q["speaker"]) for q in quotes] == [('"We will not wait,"', "Volodymyr Zelensky")]


def test_the_extraction_benchmark_without_the_evaluation_data_measures_nothing(tmp_path: Path) -> None:
    script = REPO / "benchmarks" / "extraction.py"
    run = subprocess.run(
        [sys.executable, str(script), "--eval", str(tmp_path / "none"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "no evaluation data" in run.stdout
    assert not (tmp_path / "out").exists()


def _build_speed() -> ModuleType:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import build_speed
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return build_speed


def test_the_build_benchmark_runs_a_clean_build_before_the_scenarios_that_start_from_it() -> None:
    build_speed = _build_speed()
    assert build_speed.parse_args(["--scenarios", "no-change"]).scenarios == ["clean", "no-change"]
    assert build_speed.parse_args(["--scenarios", "clean", "one-edit"]).scenarios == ["clean", "one-edit"]


def test_the_build_benchmark_profile_prints_the_build_statistics(tmp_path: Path) -> None:
    """``python -m briefgen`` leaves with ``os._exit`` once it has reported, which ``-m cProfile`` never survived."""
    build_speed = _build_speed()
    (tmp_path / "content").mkdir()
    (tmp_path / "briefgen.yml").write_text("title: Empty\n", encoding="utf-8")
    command = [sys.executable, "-c", build_speed.PROFILED, "build", str(tmp_path), "--no-search"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "briefgen: built: 0 articles" in done.stdout
    assert "ncalls" in done.stdout and "build_site" in done.stdout
