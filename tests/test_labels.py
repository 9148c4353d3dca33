"""The label registry (annotations/labels.py) is the one home of the labels.

Adding a label is the registry plus a migration for the check constraint, and nothing else:
the fourth-label tests below extend the registry (as the `fourth_label` fixture does) and
find the new label everywhere without any other code changing.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q
from django.urls import reverse

from annotations import dashboard, exporters, labels
from annotations.admin import ArticleAdmin
from annotations.filters import ClaimFilter
from annotations.forms import ClaimDetailsForm
from annotations.importers.bulk import RecordProblem, validate_record
from annotations.models import Annotation, Article
from tests.factories import AnnotationFactory, ArticleFactory, UserFactory

CSS_FILE = Path(settings.BASE_DIR) / labels.CSS_PATH
ORIGINAL = labels.LABELS


def _buttons(html: str) -> dict[str, str]:
    """The keyboard map annotate.js builds from the page: event.code -> label key."""
    found = re.findall(r'data-label="([^"]+)" data-key-code="([^"]+)"', html)
    return {code: key for key, code in found}


# --- The registry as it stands --------------------------------------------------------------


def test_the_three_labels_keys_and_ratings_stay_as_they_were():
    assert labels.all_keys() == ["verified", "disputed", "unattributed"]
    assert labels.key_map() == {"KeyV": "verified", "KeyD": "disputed", "KeyU": "unattributed"}
    assert [label.letter for label in labels.LABELS] == ["V", "D", "U"]
    assert labels.review_rating("verified") == {"@type": "Rating", "alternateName": "Verified"}
    assert labels.review_rating("disputed")["alternateName"] == "Disputed"
    assert labels.review_rating("unattributed") is None
    assert labels.review_rating("no such label") is None


def test_labels_differ_by_more_than_colour():
    for field in ("glyph", "underline", "colour", "tint"):
        values = [getattr(label, field) for label in labels.LABELS]
        assert len(set(values)) == len(values), field


def test_the_model_is_built_from_the_registry():
    assert Annotation.Label.choices == labels.choices()
    assert Annotation.Label.UNATTRIBUTED == "unattributed"
    field = Annotation._meta.get_field("label")
    assert all(len(key) <= field.max_length for key in labels.all_keys())
    (constraint,) = [c for c in Annotation._meta.constraints if c.name == "annotation_label_valid"]
    assert constraint.condition == Q(label__in=labels.all_keys())


@pytest.mark.django_db
def test_the_registry_needs_no_migration():
    call_command("makemigrations", "annotations", "--check", "--dry-run", verbosity=0)


def test_names_and_glossary_are_translatable_and_exports_keep_keys():
    from django.utils.functional import Promise

    for label in labels.LABELS:
        assert isinstance(label.name, Promise) and isinstance(label.glossary, Promise)
        assert isinstance(label.key, str) and (
            label.rating is None or isinstance(label.rating, str)
        )


@pytest.mark.parametrize(
    "change",
    [
        {"key": "Has Space"},
        {"key": "much_too_long_a_key"},
        {"code": "KeyVV"},
        {"code": "v"},
        {"colour": "red; } body { display: none"},
        {"tint": "url(x)"},
        {"underline": "zigzag"},
        {"glyph": '"'},
        {"glyph": ""},
    ],
)
def test_a_bad_entry_is_refused_when_the_registry_loads(change):
    fields = {**vars(ORIGINAL[0]), **change}
    with pytest.raises(ValueError):
        labels.ClaimLabel(**fields)


def test_two_labels_cannot_share_a_key_code_or_glyph():
    twin = labels.ClaimLabel(**{**vars(ORIGINAL[0]), "key": "twin"})
    with pytest.raises(ValueError, match="code"):
        labels.check([*ORIGINAL, twin])


# --- The stylesheet -------------------------------------------------------------------------


def test_committed_labels_css_is_what_the_registry_generates():
    """If this fails, run `python manage.py labels_css` and commit static/css/labels.css."""
    assert CSS_FILE.read_text(encoding="utf-8") == labels.stylesheet()


def test_labels_css_check_refuses_a_stale_file_and_writes_nothing(fourth_label):
    before = CSS_FILE.read_bytes()
    with pytest.raises(CommandError, match="out of date"):
        call_command("labels_css", "--check")
    assert CSS_FILE.read_bytes() == before


def test_app_css_has_no_per_label_rules():
    app_css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text(encoding="utf-8")
    for key in labels.all_keys():
        assert key not in app_css


def test_the_stylesheet_keeps_the_colours_and_underlines():
    css = labels.stylesheet()
    assert "--label-verified: #15803d;" in css
    assert "--label-disputed-tint: rgba(234, 88, 12, 0.22);" in css
    assert re.search(r"mark\.hl-verified \{[^}]*border-bottom: 2px solid", css)
    assert re.search(r"mark\.hl-disputed \{[^}]*underline wavy", css)
    assert re.search(r"mark\.hl-unattributed \{[^}]*border-bottom: 2px dotted", css)
    assert 'content: "✓"' in css and 'content: "✗"' in css and 'content: "?"' in css


def test_pages_link_the_label_stylesheet(editor_client):
    html = editor_client.get(reverse("annotations:article-list")).content.decode()
    assert 'href="/static/css/labels.css"' in html


# --- A fourth label: the registry, and nothing else ------------------------------------------


def test_a_fourth_label_reaches_the_forms(fourth_label):
    assert ("misleading", "Misleading") in ClaimDetailsForm().fields["label"].choices
    assert ClaimDetailsForm().fields["label"].valid_value("misleading")
    assert ("misleading", "Misleading") in ClaimFilter().form.fields["label"].choices


@pytest.mark.django_db
def test_a_fourth_label_reaches_the_article_page(editor_client, fourth_label):
    article = ArticleFactory()
    html = editor_client.get(article.get_absolute_url()).content.decode()
    # the label buttons, and the keyboard map the JS reads from them
    assert 'data-label="misleading" data-key-code="KeyM"' in html
    assert "Misleading <kbd>M</kbd>" in html
    assert (
        _buttons(html)
        == labels.key_map()
        == {
            "KeyV": "verified",
            "KeyD": "disputed",
            "KeyU": "unattributed",
            "KeyM": "misleading",
        }
    )
    # the hint, the legend with its glossary, the summary
    assert "<kbd>U</kbd> unattributed or <kbd>M</kbd> misleading" in html
    assert 'class="swatch hl-misleading"' in html
    assert "Framed to suggest what the facts do not support." in html
    assert 'class="count count-misleading"><strong>0</strong> misleading</span>' in html


def test_a_fourth_label_reaches_the_stylesheet(fourth_label):
    css = labels.stylesheet()
    assert "--label-misleading: #0e7490;" in css
    assert re.search(r"mark\.hl-misleading \{[^}]*border-bottom: 2px dashed", css)
    assert ".label-button.label-misleading {" in css
    assert ".label-pill.label-misleading::before" in css and 'content: "!"' in css
    assert ".bar-misleading {" in css


@pytest.mark.django_db
def test_a_fourth_label_reaches_the_exporters(fourth_label):
    claim = AnnotationFactory(label="disputed")
    (row,) = exporters.claim_rows(Annotation.objects.filter(pk=claim.pk))
    row = row._replace(label="misleading")
    review = exporters.claim_review(row, site_url="https://desk.example.org", desk_name="Desk")
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Misleading"}
    # CSV and W3C JSON-LD keep the machine key
    assert exporters.csv_record(row)[exporters.CSV_COLUMNS.index("label")] == "misleading"
    assert exporters.web_annotation(row, site_url="https://d.example")["body"][0]["value"] == (
        "misleading"
    )


@pytest.mark.django_db
def test_a_fourth_label_reaches_the_dashboard_and_lists(editor_client, fourth_label):
    AnnotationFactory(label="disputed", article=ArticleFactory(), created_by=UserFactory())
    filters = dashboard.default_filters()
    bars = dashboard.claims_over_time(filters)["bars"]
    assert all(set(bar.counts) == set(labels.all_keys()) for bar in bars)
    assert "misleading" in bars[-1].counts
    html = editor_client.get(reverse("annotations:dashboard")).content.decode()
    assert '<span class="swatch hl-misleading"></span> Misleading' in html
    listed = editor_client.get(reverse("annotations:article-list")).content.decode()
    assert 'class="count count-misleading" title="misleading">0<' in listed
    today = dashboard.activity_today(filters)
    assert [part["label"] for part in today[0]["parts"]] == labels.all_keys()


@pytest.mark.django_db
def test_a_fourth_label_reaches_the_admin(client, admin_user, fourth_label):
    columns = ArticleAdmin(Article, None).get_list_display(None)
    assert [c.__name__ for c in columns if callable(c)] == [
        "n_verified",
        "n_disputed",
        "n_unattributed",
        "n_misleading",
    ]
    ArticleFactory()
    client.force_login(admin_user)
    html = client.get(reverse("admin:annotations_article_changelist")).content.decode()
    assert "column-n_misleading" in html and "Misleading" in html


def test_a_fourth_label_passes_the_bulk_import_check(fourth_label):
    body = "Officials said the strike hit a depot."
    claim = {"start": 0, "end": 9, "quote": "Officials", "label": "misleading", "source": "MoD"}
    record = validate_record({"title": "T", "body": body, "claims": [claim]}, line=1)
    assert record.claims[0].label == "misleading"
    with pytest.raises(RecordProblem) as refused:
        validate_record({"title": "T", "body": body, "claims": [{**claim, "label": "maybe"}]}, 1)
    assert "use verified, disputed, unattributed or misleading" in str(refused.value)


def test_a_fourth_label_needs_a_migration_and_only_that(fourth_label):
    """The model's choices and check constraint are made when models.py is imported: for a
    real new label (an edit of labels.py) they come from the registry as the test above
    shows; the constraint then changes, which is the migration."""
    assert "misleading" not in Annotation.Label.values  # made from the registry at import
    assert [key for key, _ in labels.choices()] == [*Annotation.Label.values, "misleading"]


def test_the_bulk_message_lists_the_keys_without_a_fourth():
    with pytest.raises(RecordProblem) as refused:
        validate_record(
            {"title": "T", "body": "x y", "claims": [{"start": 0, "end": 1, "quote": "x"}]}, 1
        )
    assert "unknown label “None” (use verified, disputed or unattributed)." in str(refused.value)


# --- Told apart without colour ---------------------------------------------------------------


def test_every_place_that_names_a_label_shows_its_glyph(fourth_label):
    css = labels.stylesheet()
    for label in labels.LABELS:
        k = label.key
        (selectors,) = re.findall(rf"\n([^\n{{]*)\{{ content: \"{re.escape(label.glyph)}\";", css)
        assert {s.strip() for s in selectors.split(",")} == {
            f".swatch.hl-{k}::after",  # the legends
            f".label-pill.label-{k}::before",  # the claim lists
            f".count-{k}::before",  # the counts and the dashboard's shares
            f".label-button.label-{k}::before",  # the popover's buttons
            f".label-radio.label-{k}::after",  # the edit and paste forms' radios
        }


def test_each_label_draws_its_underline_style_and_the_swatch_shows_it(fourth_label):
    css = labels.stylesheet()
    assert re.search(r"\.swatch\.hl-disputed \{[^}]*underline wavy", css)
    assert re.search(r"\.swatch\.hl-unattributed \{[^}]*border-bottom: 2px dotted", css)
    assert re.search(r"\.swatch\.hl-misleading \{[^}]*border-bottom: 2px dashed", css)
    # a wavy underline is the decoration alone, not a solid border under it as well
    assert not re.search(r"mark\.hl-disputed \{[^}]*border-bottom", css)


def test_nested_highlights_add_no_tint_and_go_lower():
    app_css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text(encoding="utf-8")
    nested = re.search(r"\nmark\.hl mark\.hl \{([^}]*)\}", app_css).group(1)
    assert "background-color: transparent" in nested
    paddings = [
        float(p)
        for p in re.findall(
            r"\nmark\.hl(?: mark\.hl)* \{[^}]*padding(?:-bottom)?: ([\d.]+)em", app_css
        )
    ]
    assert paddings == sorted(paddings) and len(set(paddings)) == len(paddings) >= 3


def test_the_selected_claim_is_outlined_in_no_labels_colour():
    app_css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text(encoding="utf-8")
    selected = re.search(r"--selected: (#[0-9a-fA-F]{6})", app_css).group(1).lower()
    assert selected not in {label.colour.lower() for label in labels.LABELS}
    assert "mark.hl.is-active { outline: 2px solid var(--selected)" in app_css
    assert re.search(r"\.claim\.is-selected \{[^}]*outline: 2px solid var\(--selected\)", app_css)
    assert "244, 183, 64" not in app_css  # the old amber, too close to disputed


def test_chart_bars_have_a_texture_from_the_underline_style(fourth_label):
    css, svg = labels.stylesheet(), labels.svg_patterns()
    textures = []
    for label in labels.LABELS:
        k = label.key
        assert f".bar-{k} {{ fill: url(#label-fill-{k}) var(--label-{k}); }}" in css
        pattern = re.search(rf'<pattern id="label-fill-{k}"[^>]*>(.*?)</pattern>', svg).group(1)
        assert f'fill="{label.colour}"' in pattern
        textures.append(pattern.split("/>", 1)[1])
    assert len(set(textures)) == len(textures)  # four labels, four textures
    assert 'aria-hidden="true"' in svg


@pytest.mark.django_db
def test_the_dashboard_draws_the_textures(editor_client, fourth_label):
    html = editor_client.get(reverse("annotations:dashboard")).content.decode()
    assert '<pattern id="label-fill-misleading"' in html
    assert '<rect class="bar-misleading" width="10" height="10"/>' in html  # its legend
