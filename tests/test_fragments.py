"""htmx fragments are partials ("annotations/<template>.html#<name>"), never loose files: every
name that a template includes and that Python code renders is defined where it points."""

import re
from pathlib import Path

import pytest
from django.template.loader import get_template

REPO = Path(__file__).resolve().parent.parent
FRAGMENT = re.compile(r"""["'](annotations/[\w/]+\.html#[\w-]+)["']""")


def _referenced() -> set[str]:
    files = [*(REPO / "templates").rglob("*.html"), *(REPO / "annotations").rglob("*.py")]
    return {name for f in files for name in FRAGMENT.findall(f.read_text(encoding="utf-8"))}


def test_fragments_are_referenced_from_templates_and_views():
    names = _referenced()
    assert "annotations/fragments.html#form-error" in names
    assert "annotations/article_detail.html#claim-saved" in names


@pytest.mark.parametrize("name", sorted(_referenced()))
def test_each_referenced_fragment_is_defined(name):
    get_template(name)  # raises TemplateDoesNotExist for a missing file or partial


def test_no_template_lives_in_a_partials_folder():
    assert not list((REPO / "templates").rglob("partials/*.html"))
