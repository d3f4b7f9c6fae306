"""Extraction quality and speed on the annotated development sets, beside the spaCy sm baseline.

    python benchmarks/extraction.py [--eval ../shared/eval] [--limit N] [--out benchmarks/out]

Each document is parsed once; briefgen's extractors and the baseline (spaCy en_core_web_sm entities,
spaCy DATE/TIME spans, a quote-mark regex with the nearest preceding PERSON as speaker) run on the same
parse. Both prediction files are scored with the evaluation's own ``score.py``. Speed is extraction
throughput in words/s on one core, parse included, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefgen.evaljsonl import read_eval_input, to_eval_record  # noqa: E402
from briefgen.extract import extract_doc  # noqa: E402
from briefgen.nlp import load_nlp  # noqa: E402

SETS = ("meantime_ner", "tempeval3_tbaq", "polnear")
QUOTE = re.compile(r"“[^“”]{1,2000}”|\"[^\"]{1,2000}\"|``.{1,2000}?''|''.{1,2000}?''", re.DOTALL)


def baseline_record(doc_id: str, doc) -> dict[str, object]:  # type: ignore[no-untyped-def]
    kinds = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC"}
    entities = [
        {"start": e.start_char, "end": e.end_char, "type": kinds[e.label_], "text": e.text}
        for e in doc.ents
        if e.label_ in kinds
    ]
    timexes = [
        {"start": e.start_char, "end": e.end_char, "type": e.label_, "value": "", "text": e.text}
        for e in doc.ents
        if e.label_ in ("DATE", "TIME")
    ]
    people = [e for e in doc.ents if e.label_ == "PERSON"]
    quotes = []
    for match in QUOTE.finditer(doc.text):
        record: dict[str, object] = {"start": match.start(), "end": match.end(), "text": match.group()}
        before = [p for p in people if p.end_char <= match.start()]
        if before:
            p = before[-1]
            record.update(speaker=p.text, speaker_start=p.start_char, speaker_end=p.end_char)
        quotes.append(record)
    return {"id": doc_id, "entities": entities, "timexes": timexes, "quotes": quotes}


def score(scorer: Path, gold: Path, pred: Path) -> dict:  # type: ignore[type-arg]
    output = subprocess.run([sys.executable, str(scorer), str(gold), str(pred)], capture_output=True, text=True)
    return json.loads(output.stdout)


def run_set(name: str, eval_dir: Path, out: Path, limit: int | None) -> dict[str, object]:
    gold = eval_dir / f"{name}.dev.jsonl"
    with gold.open(encoding="utf-8") as handle:
        items, problems = read_eval_input(handle, str(gold))
    if any(p.level == "error" for p in problems):
        raise SystemExit("\n".join(map(str, problems)))
    items = items[:limit]
    nlp = load_nlp()
    ours, base = [], []
    words = 0
    parse_s = extract_s = 0.0
    for doc_id, text, dct in items:
        started = time.perf_counter()
        doc = nlp(text)
        parsed = time.perf_counter()
        extraction = extract_doc(doc, dct)
        extract_s += time.perf_counter() - parsed
        parse_s += parsed - started
        words += sum(1 for t in doc if not t.is_space and not t.is_punct)
        ours.append(to_eval_record(doc_id, text, extraction))
        base.append(baseline_record(doc_id, doc))
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for label, records in (("briefgen", ours), ("spacy-sm", base)):
        pred = out / f"{name}.{label}.jsonl"
        pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        results[label] = score(eval_dir / "score.py", gold, pred)
    return {"results": results, "words": words, "parse_s": parse_s, "extract_s": extract_s, "docs": len(items)}


def fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else ("-" if value is None else str(value))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, help="only the first N documents of each set")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    if not (args.eval / "score.py").is_file():
        print(f"no evaluation data at {args.eval}; nothing to measure")
        return 0
    load_nlp()
    rows = []
    words = 0
    seconds = 0.0
    parse_only = 0.0
    for name in SETS:
        run = run_set(name, args.eval, args.out, args.limit)
        words += run["words"]  # type: ignore[operator]
        seconds += run["parse_s"] + run["extract_s"]  # type: ignore[operator]
        parse_only += run["parse_s"]  # type: ignore[operator]
        for system, report in run["results"].items():  # type: ignore[attr-defined]
            rows.append((name, system, report))
    print("| task | data | system | figure |")
    print("|---|---|---|---|")
    for name, system, report in rows:
        if name == "meantime_ner":
            ov = report["entities"]["overlap"]
            print(
                f"| entities | MEANTIME dev | {system} | overlap micro F1 {fmt(ov['micro']['f1'])}; "
                f"PERSON {fmt(ov['PERSON']['f1'])}, ORG {fmt(ov['ORG']['f1'])}, PLACE {fmt(ov['PLACE']['f1'])} |"
            )
        elif name == "tempeval3_tbaq":
            t = report["timexes"]
            fd = t["full_date_normalisation"]
            print(
                f"| time | TBAQ dev | {system} | relaxed F1 {fmt(t['detection_relaxed']['f1'])}, strict F1 "
                f"{fmt(t['detection_strict']['f1'])}; value F1 {fmt(t['value_te3_style']['f1'])}; full-date "
                f"accuracy {fmt(fd['accuracy_end_to_end'])} |"
            )
        else:
            q = report["quotes"]
            sp = q["speaker"]
            print(f"| quotes | PolNeAR dev | {system} | span F1 {fmt(q['span_overlap']['f1'])}; speaker accuracy "
                  f"{fmt(sp['accuracy_end_to_end'])} end to end, {fmt(sp['accuracy_given_matched'])} on found, "
                  f"{fmt(sp['accuracy_end_to_end_nonpronoun_gold'])} non-pronoun |")  # fmt: skip
    print()
    print(f"speed, one core: {words / seconds:,.0f} words/s with extraction "
          f"({words / parse_only:,.0f} words/s spaCy parse alone; extraction adds "
          f"{100 * (seconds - parse_only) / seconds:.0f}% of the time) over {words:,} words")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
