"""How well the similar-claims matcher finds the same assertion, on the labelled set
(tests/data/similar_claims, its README says how it was made).

`holdout2.json` is the held-out part: written after the matcher's last change by someone who
never saw the matcher nor the other parts, and scored once, when tuning ended: recall@5
within a language 0.900 (105 claims), across languages 0.751 (150), top-1 precision 0.812
(181). It is held to the issue's bar (recall@5 0.9 within a language, 0.5 across, top-1
precision 0.8), which it meets with no margin within a language.

The weights were chosen on `tuning.json`, `frozen.json` and `holdout.json`: the last two
were each held out once, scored, and then read, so they became tuning data (README tells
the story). They are held to what they measured when tuning ended, a little under, so that
a change cannot lose what the tuning found. README prints the figures: rerun with
`make test TEST_WORKERS=0 PYTEST_ARGS="tests/test_similar_quality.py -s"`.
"""

import pytest

from tests.similar_eval import evaluate, load

pytestmark = pytest.mark.django_db

RECALL_WITHIN, RECALL_ACROSS, PRECISION_TOP1 = 0.9, 0.5, 0.8
# holdout.json, tuned on after it was scored: measured 1.000, 0.949, 0.864.
FIRST_HOLDOUT_RECALL_WITHIN, FIRST_HOLDOUT_RECALL_ACROSS, FIRST_HOLDOUT_PRECISION_TOP1 = (
    0.98,
    0.9,
    0.84,
)
# The tuning part as measured when the war-news vocabulary came in (0.988, 0.851, 0.829),
# so that a change cannot lose what the tuning found.
TUNING_RECALL_WITHIN, TUNING_RECALL_ACROSS, TUNING_PRECISION_TOP1 = 0.98, 0.85, 0.82


def test_the_matcher_meets_the_bar_on_the_held_out_part():
    figures = evaluate(load("holdout2"))
    print(f"\nholdout2: {figures}")
    assert figures.claims >= 150
    assert figures.recall_within >= RECALL_WITHIN
    assert figures.recall_across >= RECALL_ACROSS
    assert figures.precision_top1 >= PRECISION_TOP1


def test_the_matcher_keeps_what_it_learnt_from_the_first_held_out_part():
    figures = evaluate(load("holdout"))
    print(f"\nholdout: {figures}")
    assert figures.claims >= 150
    assert figures.recall_within >= FIRST_HOLDOUT_RECALL_WITHIN >= RECALL_WITHIN
    assert figures.recall_across >= FIRST_HOLDOUT_RECALL_ACROSS >= RECALL_ACROSS
    assert figures.precision_top1 >= FIRST_HOLDOUT_PRECISION_TOP1 >= PRECISION_TOP1


def test_the_matcher_meets_the_bar_on_the_tuning_part():
    figures = evaluate(load("tuning", "frozen"))
    print(f"\ntuning: {figures}")
    assert figures.claims >= 300
    assert figures.recall_within >= TUNING_RECALL_WITHIN >= RECALL_WITHIN
    assert figures.recall_across >= TUNING_RECALL_ACROSS >= RECALL_ACROSS
    assert figures.precision_top1 >= TUNING_PRECISION_TOP1 >= PRECISION_TOP1
