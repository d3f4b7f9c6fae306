"""Deterministic benchmark sites: N Markdown articles of about 450 words made from real article text.

Sentences of the seed article are recombined, with people, places and dates varied, so every article
is distinct, reads like wire copy and exercises every extractor (actors, quotes, deadlines).

    python benchmarks/corpus.py OUT_DIR N
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_19bf21a25ff5d78b.txt"

PEOPLE = [("Trump", "Donald Trump"), ("Putin", "Vladimir Putin"), ("Zelensky", "Volodymyr Zelensky"),
          ("Okafor", "Maria Okafor"), ("Reyes", "Daniel Reyes"), ("Marsh", "Elena Marsh"),
          ("Lindqvist", "Anna Lindqvist"), ("Haddad", "Omar Haddad"), ("Moreau", "Claire Moreau"),
          ("Tanaka", "Kenji Tanaka"), ("Novak", "Petra Novak"), ("Mensah", "Kwame Mensah")]  # fmt: skip
PLACES = ["Russia", "Ukraine", "China", "India", "Brazil", "Poland", "Kenya", "Japan", "Canada", "Turkey"]
TAGS = ["diplomacy", "sanctions", "trade", "energy", "security", "labour", "economy", "elections"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def seed_sentences() -> list[str]:
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    body = [line for line in lines if len(line.split()) > 8]
    sentences: list[str] = []
    for line in body:
        sentences += [s for s in re.split(r"(?<=[.”])\s+(?=[A-Z“])", line) if len(s.split()) > 5]
    return sentences


def vary(sentence: str, rng: random.Random) -> str:
    text = sentence
    for surname, _ in PEOPLE[:3]:
        if surname in text:
            text = text.replace(surname, rng.choice(PEOPLE)[0])
    for place in ("Russia", "China", "India"):
        if place in text:
            text = text.replace(place, rng.choice(PLACES))
    for day in WEEKDAYS:
        text = text.replace(day, rng.choice(WEEKDAYS))
    return text


def make_article(index: int, sentences: list[str], rng: random.Random) -> tuple[str, str]:
    date = dt.date(2024, 1, 1) + dt.timedelta(days=(index * 7) % 700)
    lead_surname, lead_full = rng.choice(PEOPLE)
    place = rng.choice(PLACES)
    paragraphs = [f"{lead_full} said on {rng.choice(WEEKDAYS)} that talks with {place} were “moving forward” "
                  f"and that a decision was due by {rng.choice(WEEKDAYS)}, article {index}."]  # fmt: skip
    words = len(paragraphs[0].split())
    while words < 450:
        group = [vary(rng.choice(sentences), rng) for _ in range(rng.randint(2, 3))]
        paragraphs.append(" ".join(group))
        words += sum(len(s.split()) for s in group)
    title = f"{lead_surname} sets out position on {place} talks ({index})"
    tags = sorted(rng.sample(TAGS, 2))
    front = f"---\ntitle: {title}\ndate: {date.isoformat()}\nsources: [Reuters]\ntags: [{', '.join(tags)}]\n---\n"
    return f"{date.isoformat()}-story-{index:05d}.md", front + "\n\n".join(paragraphs) + "\n"


def generate_site(root: Path, count: int, seed: int = 7) -> Path:
    """Write a site of ``count`` articles under ``root`` (content/ and briefgen.yml); return ``root``."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    (root / "briefgen.yml").write_text("title: Benchmark briefings\nbase_url: https://example.org/\n")
    for index in range(count):
        name, text = make_article(index, sentences, rng)
        (content / name).write_text(text, encoding="utf-8")
    return root


if __name__ == "__main__":
    generate_site(Path(sys.argv[1]), int(sys.argv[2]))
