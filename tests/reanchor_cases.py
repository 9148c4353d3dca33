"""Corrections whose effect is known, over text in which phrases repeat, for the re-anchoring
property tests: the truth comes from the edit itself, not from the diff."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from annotations import anchoring

# Phrases that war reporting repeats, and sentences built from them (some twice over).
PHRASES = [
    "31 drones",
    "the regional governor said",
    "The regional governor said",
    "hit a residential building",
    "according to the General Staff",
    "two people were killed",
    "Kyiv",
    "Київ",
    "🇺🇦",
]
SENTENCES = [
    "Overnight, 31 drones hit a residential building in Odesa, the regional governor said.",
    "The regional governor said 31 drones were shot down over Kyiv.",
    "According to the General Staff, two people were killed when a missile hit a residential building.",
    "Київ: 31 drones were launched from the Belgorod region 🇺🇦.",
    "Moscow did not confirm that 31 drones had been launched.",
    "Two people were killed, the regional governor said.",
    "Air defence was active over Kyiv, according to the General Staff.",
    "Reportedly, a strike hit a residential building near the port.",
    "The regional governor said the fire was put out by morning.",
    "Residents said 31 drones flew low over the city.",
    "The regional governor said 31 drones were shot down over Kyiv.",
    "Київ says 🇺🇦 two people were killed.",
]
WORDS = ["shelling", "drones", "Kyiv", "said", "the", "31", "32", "Київ", "missile", "port"]


@dataclass
class Claim:
    key: int
    start: int
    end: int
    quote: str


@dataclass
class Case:
    kind: str
    old: str
    new: str
    claims: list[Claim]
    # Each explanation of the edit that gives `new`: a function from an old position to its
    # new one, or None where that character did not survive. The first is the real one.
    explanations: list = field(default_factory=list)

    def truth(self, claim: Claim, explanation=None) -> int | None:
        """Where the claim's own characters are after the edit, or None when any of them
        was deleted or altered (or text was inserted inside the claim)."""
        mapping = explanation or self.explanations[0]
        positions = [mapping(p) for p in range(claim.start, claim.end)]
        if any(p is None for p in positions):
            return None
        if positions != list(range(positions[0], positions[0] + len(positions))):
            return None  # split apart, or text inserted inside
        return positions[0]


def _paragraphs(rng: random.Random) -> list[list[str]]:
    return [
        [rng.choice(SENTENCES) for _ in range(rng.randint(1, 3))] for _ in range(rng.randint(3, 7))
    ]


def _join(paragraphs: list[list[str]], separator: str) -> str:
    return separator.join(" ".join(p) for p in paragraphs)


def _claims(rng: random.Random, body: str) -> list[Claim]:
    spots = [(p, at) for p in PHRASES for at in anchoring.find_occurrences(body, p)]
    # Whole sentences too, now and then (they move with their paragraph).
    spots += [(s, at) for s in SENTENCES for at in anchoring.find_occurrences(body, s)][:3]
    # And a few runs of words as an editor might select them, some across a sentence end.
    words = _word_spans(body)
    for _ in range(3):
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randint(0, 5))
        start, end = words[first][0], words[last][1]
        if "\n" not in body[start:end]:
            spots.append((body[start:end], start))
    rng.shuffle(spots)
    chosen = spots[: rng.randint(1, 8)]
    return [Claim(key, at, at + len(text), text) for key, (text, at) in enumerate(chosen, start=1)]


def _replacement(old: str, start: int, end: int, text: str):
    """The mapping of replacing old[start:end] by `text` (an insertion when empty)."""
    shift = len(text) - (end - start)

    def mapping(p: int) -> int | None:
        if p < start:
            return p
        if p >= end:
            return p + shift
        return None

    return old[:start] + text + old[end:], mapping


def _insertion_mapping(position: int, size: int):
    # An insertion at `position` splits the characters before it from those at and after it.
    def mapping(p: int) -> int:
        return p if p < position else p + size

    return mapping


def _explanations_of(old: str, new: str, kind: str, start: int, end: int, size: int):
    """Every placement of a pure deletion (or insertion) of the same length that turns `old`
    into `new`: where identical text repeats, the edit could have been any of them."""
    common_prefix = 0
    while common_prefix < min(len(old), len(new)) and old[common_prefix] == new[common_prefix]:
        common_prefix += 1
    common_suffix = 0
    while (
        common_suffix < min(len(old), len(new))
        and old[len(old) - 1 - common_suffix] == new[len(new) - 1 - common_suffix]
    ):
        common_suffix += 1
    found = []
    if kind == "delete":
        length = end - start
        for at in range(max(0, len(new) - common_suffix), min(common_prefix, len(new)) + 1):
            if at + length <= len(old) and at != start:
                found.append(_replacement(old, at, at + length, "")[1])
    else:
        for at in range(max(0, len(old) - common_suffix), min(common_prefix, len(old)) + 1):
            if at != start:
                found.append(_insertion_mapping(at, size))
    return found


def _sentence_spans(body: str) -> list[tuple[int, int]]:
    spans = []
    for sentence in set(SENTENCES):
        spans += [(at, at + len(sentence)) for at in anchoring.find_occurrences(body, sentence)]
    # Keep whole sentences only (not one sentence found inside another).
    spans.sort()
    return [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def _word_spans(body: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, ch in enumerate(body + " "):
        if ch.isalnum():
            if start is None:
                start = i
        elif start is not None:
            spans.append((start, i))
            start = None
    return spans


def _mutate(rng: random.Random, word: str) -> str:
    """The word altered (never left as it was)."""
    for _ in range(20):
        altered = _alter(rng, word)
        if altered != word:
            return altered
    return word + "x"


def _alter(rng: random.Random, word: str) -> str:
    choice = rng.randrange(5)
    if choice == 0 and len(word) > 1:  # a typo: one letter changed
        i = rng.randrange(len(word))
        return word[:i] + rng.choice("aeoxzй") + word[i + 1 :]
    if choice == 1:  # a letter doubled or added at the end
        return word + word[-1] if rng.random() < 0.5 else word + "s"
    if choice == 2 and len(word) > 2:  # a letter dropped
        i = rng.randrange(len(word))
        return word[:i] + word[i + 1 :]
    if choice == 3:
        return "".join(reversed(word)) if len(set(word)) > 1 else word + "x"
    return rng.choice([w for w in WORDS if w != word] or ["x"])


def make_case(rng: random.Random) -> Case:
    """One body, its claims and one edit that changes the text (a move of a paragraph past
    its identical twin changes nothing, and is drawn again)."""
    while True:
        case = _draw_case(rng)
        if case.new != case.old:
            return case


def _draw_case(rng: random.Random) -> Case:
    paragraphs = _paragraphs(rng)
    separator = rng.choice(["\n\n", "\n"])
    old = _join(paragraphs, separator)
    claims = _claims(rng, old)
    kind = rng.choice(["delete", "insert", "beside", "inside", "move"])
    if kind == "move" and len(paragraphs) > 1:
        i = rng.randrange(len(paragraphs))
        j = rng.choice([k for k in range(len(paragraphs)) if k != i])
        texts = [" ".join(p) for p in paragraphs]
        starts, at = [], 0
        for t in texts:
            starts.append(at)
            at += len(t) + len(separator)
        order = list(range(len(texts)))
        order.insert(j, order.pop(i))
        new = separator.join(texts[k] for k in order)
        new_starts, at = {}, 0
        for k in order:
            new_starts[k] = at
            at += len(texts[k]) + len(separator)

        def mapping(p: int) -> int | None:
            for k, s in enumerate(starts):
                if s <= p < s + len(texts[k]):
                    return new_starts[k] + p - s
            return None  # a separator: re-made, not moved

        explanations = [mapping]
        # Where paragraphs repeat, moving another one (or this one elsewhere) can give the
        # same text: each such move is an explanation too.
        for i2 in range(len(texts)):
            for j2 in range(len(texts)):
                if (i2, j2) == (i, j) or i2 == j2:
                    continue
                order2 = list(range(len(texts)))
                order2.insert(j2, order2.pop(i2))
                if separator.join(texts[k] for k in order2) != new:
                    continue
                starts2, at = {}, 0
                for k in order2:
                    starts2[k] = at
                    at += len(texts[k]) + len(separator)

                def alternative(p, starts2=starts2):
                    for k, s in enumerate(starts):
                        if s <= p < s + len(texts[k]):
                            return starts2[k] + p - s
                    return None

                explanations.append(alternative)
        return Case("move", old, new, claims, explanations)
    if kind in ("delete", "move"):
        start, end = rng.choice(_sentence_spans(old))
        # With the space that joined it to its paragraph (or the paragraph break).
        if end < len(old) and old[end] == " ":
            end += 1
        elif start > 0 and old[start - 1] == " ":
            start -= 1
        elif old[end : end + len(separator)] == separator:
            end += len(separator)
        elif start >= len(separator):
            start -= len(separator)
        new, mapping = _replacement(old, start, end, "")
        return Case(
            "delete",
            old,
            new,
            claims,
            [mapping, *_explanations_of(old, new, "delete", start, end, 0)],
        )
    if kind == "insert":
        sentence = rng.choice(SENTENCES)
        spans = _sentence_spans(old)
        at = rng.choice([s for s, _ in spans] + [len(old)])
        text = sentence + " " if at < len(old) else " " + sentence
        new, mapping = _replacement(old, at, at, text)
        return Case(
            "insert",
            old,
            new,
            claims,
            [mapping, *_explanations_of(old, new, "insert", at, at, len(text))],
        )
    words = _word_spans(old)
    claim = rng.choice(claims)
    if kind == "beside":
        before = [w for w in words if w[1] <= claim.start]
        after = [w for w in words if w[0] >= claim.end]
        options = ([before[-1]] if before else []) + ([after[0]] if after else [])
    else:
        options = [w for w in words if claim.start <= w[0] and w[1] <= claim.end]
    if not options:
        options = words
    start, end = rng.choice(options)
    replacement = _mutate(rng, old[start:end])
    new, mapping = _replacement(old, start, end, replacement)
    return Case(kind, old, new, claims, [mapping])


@dataclass
class Outcome:
    misplaced: list = field(default_factory=list)
    untouched: int = 0
    kept: int = 0
    flagged_untouched: list = field(default_factory=list)


def judge(case: Case, placements, outcome: Outcome) -> None:
    by_key = {p.key: p for p in placements}
    for claim in case.claims:
        place = by_key[claim.key]
        truth = case.truth(claim)
        allowed = {case.truth(claim, e) for e in case.explanations} - {None}
        if truth is not None:
            outcome.untouched += 1
        if place.state == "orphaned" or place.state == "changed":
            if truth is not None:
                outcome.flagged_untouched.append((case, claim, place))
            continue
        # Placed, unflagged: it must be on its own characters (in some explanation).
        if place.start not in allowed or place.quote != claim.quote:
            outcome.misplaced.append((case, claim, place))
        elif place.start == truth:
            outcome.kept += 1


def main(argv: list[str]) -> None:
    """`python -m tests.reanchor_cases [N]`: N corrections (30,000 by default), with the
    figures the property tests assert on."""
    from collections import Counter

    from annotations.anchoring import Anchor, context, reanchor

    n = int(argv[1]) if len(argv) > 1 else 30_000
    outcome = Outcome()
    for seed in range(n):
        case = make_case(random.Random(seed))
        anchors = [
            Anchor(c.key, c.start, c.end, c.quote, *context(case.old, c.start, c.end))
            for c in case.claims
        ]
        judge(case, reanchor(case.old, case.new, anchors), outcome)
    flagged = Counter((case.kind, place.reason) for case, _, place in outcome.flagged_untouched)
    print(f"{n:,} corrections, {outcome.untouched:,} claims whose characters survived")
    print(f"silently misplaced: {len(outcome.misplaced)}")
    print(f"kept on their own characters: {outcome.kept / outcome.untouched:.2%}")
    print("flagged although untouched, by edit and reason:", dict(flagged.most_common()))


if __name__ == "__main__":
    import sys

    main(sys.argv)
