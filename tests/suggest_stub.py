"""A fixed suggestion engine for the tests of what is built around the real one (services,
pages, API, command, browser): two rules whose spans the tests can name ("according to X,
Y." suggests Y from X; a sentence with "reportedly" is an unattributed hedge). The real rules
(`annotations.suggesting`) are tested on their own, and by tests/test_suggestions_demo.py."""

from __future__ import annotations

import re

import pytest

from annotations import names, suggesting
from annotations.suggesting import Suggestion

_ACCORDING = re.compile(r"(?i)(according to) ([^,.\n]{2,80}), ([^.\n]+)")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_HEDGE = re.compile(r"(?i)\b(reportedly)\b")


def two_rules(body: str, *, sources=None) -> list[Suggestion]:
    """`sources`: {folded name: source id} of the registry (names and aliases)."""
    sources = sources or {}
    found = []
    for m in _ACCORDING.finditer(body):
        name = m.group(2).strip()
        found.append(
            Suggestion(
                m.start(3),
                m.end(3),
                m.group(3),
                "",
                name,
                sources.get(names.fold_name(name)),
                m.group(1),
            )
        )
    for m in _SENTENCE.finditer(body):
        hedge = _HEDGE.search(m.group())
        if hedge:
            text = m.group()
            lead = len(text) - len(text.lstrip())
            found.append(
                Suggestion(
                    m.start() + lead,
                    m.end(),
                    text.strip(),
                    "unattributed",
                    "",
                    None,
                    hedge.group(1),
                )
            )
    return sorted(found, key=lambda s: (s.start, -s.end))


def _for_article(article) -> list[Suggestion]:
    from annotations.models import SourceAlias

    registry = dict(SourceAlias.objects.values_list("name_key", "source_id"))
    return two_rules(article.body, sources=registry)


@pytest.fixture(autouse=True)
def two_rule_engine(monkeypatch):
    """Use in a test module: `from tests.suggest_stub import two_rule_engine  # noqa: F401`."""
    monkeypatch.setattr(suggesting, "suggest_for_article", _for_article)
