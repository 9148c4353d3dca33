"""The data all three tools get, built once per run from bench/data.py's text builders and
written as JSON files the jobs read (the peers' jobs and ours alike).

- `open.json`: one article of 100,000 characters with 2,000 overlapping spans (P1's);
- `saves.json`: spans of that article it has no span on yet, one per save;
- `import.json`: 500 articles of 6,000 characters with 100 spans each (P4's first case).

The export job exports what the import wrote: 50,000 spans.

Needs Django set up (bench.data imports the app's models), but not a database.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.data import WordSpans, article_text

LABELS = ["verified", "disputed", "unattributed"]
SOURCES = 10  # claims that are not unattributed name one of `bench.data.bench_sources(10)`


def _labelled(rng: random.Random, span_list) -> list[list]:
    """[start, end, label, source number or None] for each span."""
    out = []
    for start, end in span_list:
        label = rng.choice(LABELS)
        out.append([start, end, label, None if label == "unattributed" else rng.randrange(SOURCES)])
    return out


def build(directory: Path, *, articles: int = 500, per_article: int = 100, saves: int = 25_000):
    """Write the three files into `directory` (what a run of the same sizes wrote is kept)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = directory / "sizes.json"
    sizes = {"articles": articles, "per_article": per_article, "saves": saves, "version": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == sizes:
        return
    rng = random.Random(1)  # P1's article, as bench/page.py builds it
    body = article_text(rng, 100_000)
    words = WordSpans(body)
    span_list = words.many(rng, 2000)
    (directory / "open.json").write_text(
        json.dumps({"title": "Peers: the big article", "body": body,
                    "spans": _labelled(rng, span_list)}, ensure_ascii=False)
    )  # fmt: skip
    fresh = words.fresh(random.Random(2), saves, set(span_list))
    (directory / "saves.json").write_text(json.dumps(_labelled(random.Random(3), fresh)))

    rng = random.Random(4)  # P4's articles: cut from one corpus, 100 spans each
    corpus = article_text(rng, 120_000)
    docs = []
    for i in range(articles):
        offset = rng.randrange(0, len(corpus) - 6000)
        text = f"Report {i}\n\n" + corpus[offset : offset + 6000].strip()
        chosen = WordSpans(text).many(rng, per_article, nested_share=0.2)
        docs.append({"title": f"Peers import {i}", "body": text, "spans": _labelled(rng, chosen)})
    (directory / "import.json").write_text(json.dumps(docs, ensure_ascii=False))
    stamp.write_text(json.dumps(sizes))


def load(directory: Path, name: str):  # noqa: D103
    return json.loads((directory / f"{name}.json").read_text())


class PeerData:
    """The three files of `build`, read back: `article` (title, body, spans), `saves` (spans),
    `docs` (title, body, spans each). A span is [start, end, label, source number or None]."""

    def __init__(self, directory: Path):
        self.article = load(directory, "open")
        self.saves = load(directory, "saves")
        self.docs = load(directory, "import")
