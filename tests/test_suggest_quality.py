"""How well suggested claims find the claims of the labelled set and who made them
(tests/suggest_eval.py scores; tests/data/suggested_claims/ holds the set).

`tuning.json` is the half the rules were tuned on. `frozen.json` is the held-out half: written
before the rules, never read while tuning them, and scored when tuning ended (precision
0.905, recall 0.841, source or hedge right 0.821 of the 95 claims found) and once more after
fixes the demo articles called for (0.914, 0.850, 0.823 of 96). It is held to the
issue's bar: recall 0.8, precision 0.7, source or hedge right for 0.7 of the claims found. The tuning
half is held to what it measured when tuning ended (a little under), so that a change of
the rules cannot make it worse unseen. Print the figures and each miss:
`python -m tests.suggest_eval tuning`.
"""

from tests.suggest_eval import evaluate, load

# Measured when tuning ended: precision 0.942, recall 0.883, source or hedge right 0.878.
TUNING_PRECISION, TUNING_RECALL, TUNING_SOURCE = 0.92, 0.86, 0.85


def test_suggestions_on_the_tuning_half():
    figures = evaluate(load("tuning"))
    print(f"\ntuning: {figures}")
    assert figures.claims >= 100
    assert figures.precision >= TUNING_PRECISION
    assert figures.recall >= TUNING_RECALL
    assert figures.source_or_hedge >= TUNING_SOURCE


def test_suggestions_on_the_held_out_half_meet_the_bar():
    figures = evaluate(load("frozen"))
    print(f"\nfrozen: {figures}")
    assert figures.claims >= 100
    assert figures.precision >= 0.7
    assert figures.recall >= 0.8
    assert figures.source_or_hedge >= 0.7
