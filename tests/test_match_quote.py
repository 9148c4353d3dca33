"""The Hypothesis annotator's match-quote fixtures (hypothesis/client,
src/annotator/anchoring/test/match-quote-test.js) as a table, run against our
`anchoring.match_quote`.

Our rule differs from theirs on purpose in one place: the quote itself must match exactly.
Hypothesis re-anchors a highlight on text that merely looks like its quote ("some years
later" finds "Many years later"); a verification desk must not, because a claim is on its
own words or it is flagged for a person. Words that changed are found through the diff of
the two versions of the article and marked "quote changed" for review. The context
(prefix and suffix) is compared approximately, as they do, and the position is a
tie-breaker, as theirs is.
"""

import pytest

from annotations.anchoring import match_quote

SOLITUDE = " ".join(
    [
        "Many",
        "years",
        "later,",
        "as",
        "he",
        "faced",
        "the",
        "firing",
        "squad,",
        "Colonel",
        "Aureliano",
        "Buendía",
        "was",
        "to",
        "remember",
        "that",
        "distant",
        "afternoon",
        "when",
        "his",
        "father",
        "took",
        "him",
        "to",
        "discover",
        "ice",
    ]
)
TWO_CITIES = " ".join(
    [
        "It",
        "was",
        "the",
        "best",
        "of",
        "times,",
        "it",
        "was",
        "the",
        "worst",
        "of",
        "times,",
        "it",
        "was",
        "the",
        "age",
        "of",
        "wisdom,",
        "it",
        "was",
        "the",
        "age",
        "of",
        "foolishness,",
        "it",
        "was",
        "the",
        "epoch",
        "of",
        "belief,",
        "it",
        "was",
        "the",
        "epoch",
        "of",
        "incredulity,",
        "it",
        "was",
        "the",
        "season",
        "of",
        "Light,",
        "it",
        "was",
        "the",
        "season",
        "of",
        "Darkness,",
        "it",
        "was",
        "the",
        "spring",
        "of",
        "hope,",
        "it",
        "was",
        "the",
        "winter",
        "of",
        "despair,",
        "we",
        "had",
        "everything",
        "before",
        "us,",
        "we",
        "had",
        "nothing",
        "before",
        "us,",
        "we",
        "were",
        "all",
        "going",
        "direct",
        "to",
        "Heaven,",
        "we",
        "were",
        "all",
        "going",
        "direct",
        "the",
        "other",
        "way.",
    ]
)


def best(text, quote, **context):
    found = match_quote(text, quote, **context)
    return found[0] if found else None


def test_finds_exact_match():
    match = best(SOLITUDE, "discover ice")
    assert match.score == 1.0
    assert SOLITUDE[match.start : match.end] == "discover ice"


@pytest.mark.parametrize("quote", ["some years later", "Many yers later", "Some years after"])
def test_no_approximate_match_of_the_quote_itself(quote):
    # Theirs: the best approximate match ("Many years later") with a score below 1, and
    # scores ordered by the quote's similarity. Ours: nothing (see the module docstring).
    assert best(SOLITUDE, quote) is None


@pytest.mark.parametrize(
    ("kind", "variants", "quote"),
    [
        (
            "prefix",
            ["Many years later", "Many yers later", "Some years later", "Some years after"],
            ", as he faced the firing squad",
        ),
        (
            "suffix",
            [
                ", as he faced the firing squad",
                ", as she faced the firing squad",
                ", as he awaited the firing squad",
                ", as he awaited his death",
            ],
            "Many years later",
        ),
    ],
)
def test_scores_matches_by_context_similarity(kind, variants, quote):
    scores = [best(SOLITUDE, quote, **{kind: v}).score for v in variants]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_returns_nothing_if_there_is_no_match():
    assert best(TWO_CITIES, SOLITUDE) is None


def test_returns_nothing_if_quote_or_text_is_empty():
    assert best("foobar", "") is None
    assert best("", "foobar") is None


@pytest.mark.parametrize(
    ("quote", "prefix", "suffix", "expected"),
    [
        # Exact prefix matches.
        ("before us", "we had everything", None, "before us, we had nothing"),
        ("before us", "we had nothing", None, "before us, we were all going"),
        # Approximate prefix matches.
        ("before us", "we had every-thing", None, "before us, we had nothing"),
        ("before us", "we had nout", None, "before us, we were all going"),
        # Exact suffix matches.
        ("we had", None, "everything", "we had everything"),
        ("we had", None, "nothing", "we had nothing"),
        # Approximate suffix matches.
        ("we had", None, "ever ting", "we had everything"),
        ("we had", None, "nutting", "we had nothing"),
    ],
)
def test_finds_match_with_best_context_match(quote, prefix, suffix, expected):
    context = {k: v for k, v in (("prefix", prefix), ("suffix", suffix)) if v is not None}
    match = best(TWO_CITIES, quote, **context)
    assert TWO_CITIES[match.start : match.end] == quote
    assert match.start == TWO_CITIES.index(expected)


def test_uses_hint_as_a_tie_breaker():
    # Theirs searches for the misspelt "befor us"; the exact quote is used here (see the
    # module docstring). Several copies score the same without context: the hint decides,
    # and without a hint the first copy wins.
    pos_a = TWO_CITIES.index("everything before us") + len("everything ")
    pos_b = TWO_CITIES.index("nothing before us") + len("nothing ")
    assert best(TWO_CITIES, "before us", hint=pos_a).start == pos_a
    assert best(TWO_CITIES, "before us", hint=pos_b).start == pos_b
    assert best(TWO_CITIES, "before us").start == pos_a


def test_matches_when_prefix_is_longer_than_the_match_start():
    prefix = "It used to be many"
    match = best(SOLITUDE, "years later", prefix=prefix)
    assert len(prefix) > match.start
    assert SOLITUDE[match.start : match.end] == "years later"


def test_matches_at_the_end_of_the_text_with_a_suffix():
    text = "Some document text"
    match = best(text, "text", suffix="missing")
    assert text[match.start : match.end] == "text"
