"""Scores the similar-claims matcher on the labelled set (tests/data/similar_claims/).

Every claim of a file is put in the database as the app would hold it (an article per
article of the file, its matcher terms written by the service), then asked for its
suggestions through the same read the pages use (`shared.suggestions_for_claim`).

- **recall@5 within a language**: for each claim with group-mates in its own language (in
  other articles), the share of them among its first five suggestions; the mean.
- **recall@5 across languages**: the same for group-mates in other languages.
- **top-1 precision**: of the claims that got a suggestion, the share whose first
  suggestion is of their group. Near misses and solo claims count here: any suggestion
  for them is wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from annotations import anchoring, shared
from annotations.models import Annotation, Article
from annotations.services.shared_claims import claim_terms_refresh

DATA = Path(__file__).parent / "data" / "similar_claims"


@dataclass
class Figures:
    claims: int
    recall_within: float
    within_queries: int
    recall_across: float
    across_queries: int
    precision_top1: float
    answered: int

    def __str__(self) -> str:
        return (
            f"{self.claims} claims: recall@5 within a language {self.recall_within:.3f} "
            f"({self.within_queries} claims), across languages {self.recall_across:.3f} "
            f"({self.across_queries}), top-1 precision {self.precision_top1:.3f} "
            f"({self.answered} claims with a suggestion)"
        )


def load(*names: str) -> dict[int, tuple[str, str]]:
    """Put the files' articles and claims in the database: claim id -> (group, language)."""
    articles = []
    for name in names:
        articles += json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))["articles"]
    labels: dict[int, tuple[str, str]] = {}
    for item in articles:
        body = "\n\n".join(c["quote"] for c in item["claims"])
        article = Article.objects.create(
            title=item["title"],
            outlet=item["outlet"],
            language=item["language"],
            published_at=datetime.fromisoformat(item["published"]).replace(tzinfo=UTC),
            body=body,
            body_hash=anchoring.body_hash(body),
        )
        claims = []
        for c in item["claims"]:
            start = body.index(c["quote"])
            claims.append(
                Annotation(
                    article=article,
                    start=start,
                    end=start + len(c["quote"]),
                    quote=c["quote"],
                    label="disputed",
                )
            )
        Annotation.objects.bulk_create(claims)
        claim_terms_refresh(claims, language=article.language, new=True)
        for claim, c in zip(claims, item["claims"], strict=True):
            labels[claim.pk] = (c["group"], item["language"])
    return labels


def evaluate(labels: dict[int, tuple[str, str]]) -> Figures:
    claims = Annotation.objects.select_related("article").in_bulk(list(labels))
    within: list[float] = []
    across: list[float] = []
    right = answered = 0
    for pk, (group, language) in labels.items():
        claim = claims[pk]
        found = [s.claim.pk for s in shared.suggestions_for_claim(claim)]
        mates = [
            other
            for other, (g, _lang) in labels.items()
            if g == group and other != pk and claims[other].article_id != claim.article_id
        ]
        same = [m for m in mates if labels[m][1] == language]
        other_lang = [m for m in mates if labels[m][1] != language]
        if same:
            within.append(sum(m in found[:5] for m in same) / len(same))
        if other_lang:
            across.append(sum(m in found[:5] for m in other_lang) / len(other_lang))
        if found:
            answered += 1
            right += labels[found[0]][0] == group
    return Figures(
        claims=len(labels),
        recall_within=sum(within) / len(within) if within else 0.0,
        within_queries=len(within),
        recall_across=sum(across) / len(across) if across else 0.0,
        across_queries=len(across),
        precision_top1=right / answered if answered else 0.0,
        answered=answered,
    )
