"""`make bench`: measure the main jobs on data built for the purpose, against baselines.

Separate from `make test`: CI does not run it. Each row prints a figure and, where one
exists, its ratio to a baseline measured in the same run (absolute times on shared
machines are noise). `--quick` uses smaller sizes.
"""

import random
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from annotations import anchoring, services
from annotations.models import Annotation, Article

WORDS = [
    "Kyiv",
    "says",
    "air",
    "defence",
    "downed",
    "drones",
    "overnight",
    "near",
    "Kharkiv",
    "according",
    "to",
    "officials",
    "Moscow",
    "did",
    "not",
    "confirm",
    "the",
    "figures",
    "residents",
    "reportedly",
    "evacuated",
    "shelling",
    "port",
    "Київ",
    "повідомив",
    "про",
    "збиті",
    "дрони",
    "🇺🇦",
    "“quoted”",
    "—",
    "front",
    "line",
]


def article_text(rng: random.Random, size: int) -> str:
    paragraphs, length = [], 0
    while length < size:
        sentence_count = rng.randint(2, 5)
        paragraph = " ".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(sentence_count)
        )
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def spans(rng: random.Random, body: str, n: int) -> list[tuple[int, int]]:
    result = []
    while len(result) < n:
        start = rng.randrange(0, len(body) - 200)
        end = start + rng.randint(10, 160)
        text = body[start:end]
        if text.strip() == text and text:
            result.append((start, end))
    return result


class Command(BaseCommand):
    help = "Measure re-anchoring (P6). Other rows are added as the features they measure exist."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Smaller sizes (< 1 minute).")

    def handle(self, *args, **options):
        quick = options["quick"]
        rows = [self.reanchor_row(quick)]
        self.stdout.write(f"Database: {connection.vendor}")
        self.stdout.write(f"{'#':<4}{'job':<58}{'measured':<34}{'target':<12}")
        for number, job, measured, target, ok in rows:
            mark = "ok" if ok else "MISSED"
            self.stdout.write(f"{number:<4}{job:<58}{measured:<34}{target:<12}{mark}")

    def reanchor_row(self, quick: bool):
        rng = random.Random(7)
        size, n = (30_000, 300) if quick else (100_000, 1000)
        body = article_text(rng, size)
        anchors = []
        for key, (start, end) in enumerate(spans(rng, body, n)):
            prefix, suffix = anchoring.context(body, start, end)
            anchors.append(anchoring.Anchor(key, start, end, body[start:end], prefix, suffix))
        # A realistic correction: a paragraph inserted near the top, a sentence reworded
        # in the middle, a typo fixed near the end.
        middle = len(body) // 2
        new = (
            "UPDATE: the regional governor gave a new toll.\n\n"
            + body[:middle]
            + " Officials later revised the figure."
            + body[middle:]
        )
        new = new.replace("Kharkiv", "Kharkov", 3)
        times = []
        for _ in range(3 if quick else 5):
            began = time.perf_counter()
            placements = anchoring.reanchor(body, new, anchors)
            times.append(time.perf_counter() - began)
        pure = statistics.median(times)
        # Through the service, with the database writes, in a transaction rolled back after.
        with transaction.atomic():
            article = Article.objects.create(
                title="bench", body=body, body_hash=anchoring.body_hash(body)
            )
            Annotation.objects.bulk_create(
                Annotation(
                    article=article,
                    start=a.start,
                    end=a.end,
                    quote=a.quote,
                    prefix=a.prefix,
                    suffix=a.suffix,
                    label="unattributed",
                )
                for a in anchors
            )
            began = time.perf_counter()
            services.article_correct(article=article, user=None, expected_version=1, body=new)
            whole = time.perf_counter() - began
            transaction.set_rollback(True)
        states = {
            s: sum(p.state == s for p in placements)
            for s in ("anchored", "moved", "changed", "orphaned")
        }
        job = f"re-anchor {n} claims, {size:,} chars, after a correction"
        measured = f"{pure:.3f} s pure; {whole:.3f} s with DB"
        self.stderr.write(f"P6 outcomes: {states}")
        return "P6", job, measured, "<= 1 s", whole <= 1.0
