"""The claim labels (verdicts), in one place.

Everything about a label lives here: its key, its name, the key that tags it, its colour
and its non-colour mark (an underline style and a glyph, so that no one has to tell labels
apart by colour alone), what it means, and what it becomes in a ClaimReview. The rest of
the app reads them from here: the model's choices and its check constraint, the forms, the
admin, the counts of the selectors and the dashboard, the exporters, the bulk import, the
templates (label buttons, legend, pills, summaries, charts), the keyboard map
(`keymap.py`, which hands `annotate.js` its keys), `static/css/labels.css`, which
`stylesheet()` writes (`manage.py labels_css`; a test fails when the committed file differs),
and the textures of the chart bars (`svg_patterns()`, from the underline styles).

Adding a label is a `ClaimLabel` in LABELS, `manage.py labels_css`, and a migration for the
check constraint (`manage.py makemigrations`): nothing else.

Pure Python: no database, no request. Read LABELS when it is needed (`labels.LABELS`, or the
functions below), not once at import, so that a test can extend the registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# How the underline of a highlight is drawn. "wavy" is a text decoration over a solid
# border (a border cannot be wavy); the others are the border's own style.
UNDERLINES = ("solid", "dashed", "dotted", "double", "wavy")

_KEY = re.compile(r"[a-z][a-z_]{0,11}")  # a CSS class, a URL value; the column holds 12
_CODE = re.compile(r"Key[A-Z]|Digit[0-9]")  # KeyboardEvent.code: the same on every layout
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}|rgba\(\d{1,3}, \d{1,3}, \d{1,3}, [01](\.\d+)?\)")
_GLYPH = re.compile(r'[^\s"\\<>&]{1,2}')


@dataclass(frozen=True)
class ClaimLabel:
    key: str  # what is stored and exported, whatever the language: "verified"
    name: str | Promise  # what people read: _("Verified")
    code: str  # the key that tags it, as KeyboardEvent.code: "KeyV"
    colour: str  # text, border, fill and underline colour: "#15803d"
    tint: str  # the highlight's background: "rgba(34, 160, 84, 0.22)"
    underline: str  # one of UNDERLINES
    glyph: str  # shown before its name in lists and the legend: "✓"
    glossary: str | Promise  # what it means, for the legend and the buttons' titles
    rating: str | None  # ClaimReview reviewRating.alternateName; None: no ClaimReview

    def __post_init__(self) -> None:
        checks = {
            "key": _KEY.fullmatch(self.key),
            "code": _CODE.fullmatch(self.code),
            "colour": _COLOUR.fullmatch(self.colour),
            "tint": _COLOUR.fullmatch(self.tint),
            "underline": self.underline in UNDERLINES,
            "glyph": _GLYPH.fullmatch(self.glyph),
        }
        wrong = [field for field, ok in checks.items() if not ok]
        if wrong:
            raise ValueError(f"Label {self.key!r}: bad {', '.join(wrong)}")

    @property
    def letter(self) -> str:
        """The key as printed on the reader's keyboard: "V" for KeyV ("М" in Ukrainian,
        where the same key prints М), "1" for Digit1 (`keymap.printed`)."""
        from .keymap import printed

        return printed(self.code)

    @property
    def member(self) -> str:
        """Its name in `Annotation.Label`: VERIFIED."""
        return self.key.upper()


LABELS: tuple[ClaimLabel, ...] = (
    ClaimLabel(
        key="verified",
        name=_("Verified"),
        code="KeyV",
        colour="#15803d",
        tint="rgba(34, 160, 84, 0.22)",
        underline="solid",
        glyph="✓",
        glossary=_("The desk has confirmed the claim with independent evidence (link it)."),
        rating="Verified",
    ),
    ClaimLabel(
        key="disputed",
        name=_("Disputed"),
        code="KeyD",
        colour="#c2410c",
        tint="rgba(234, 88, 12, 0.22)",
        underline="wavy",
        glyph="✗",
        glossary=_(
            "Contested: contradicted by another source or by evidence, denied by a party, or "
            "attributed but not independently confirmable (“Kyiv says…; Moscow did not "
            "confirm”)."
        ),
        rating="Disputed",
    ),
    ClaimLabel(
        key="unattributed",
        name=_("Unattributed"),
        code="KeyU",
        colour="#6d28d9",
        tint="rgba(124, 58, 237, 0.18)",
        underline="dotted",
        glyph="?",
        glossary=_(
            "Stated without naming who says so (“reportedly”, “reports from the front line "
            "suggest”). It has no source."
        ),
        rating=None,  # a claim nobody made has no claimant to review
    ),
)


def all_keys() -> list[str]:
    """The machine keys, in order: what is stored and exported."""
    return [label.key for label in LABELS]


def choices() -> list[tuple[str, str | Promise]]:
    """(key, name) pairs, for form fields and the model's choices."""
    return [(label.key, label.name) for label in LABELS]


def get(key: str) -> ClaimLabel | None:
    return next((label for label in LABELS if label.key == key), None)


def display(key: str) -> str | Promise:
    """The label's name, or the key itself for one the registry no longer has (history)."""
    label = get(key)
    return label.name if label else key


def key_map() -> dict[str, str]:
    """KeyboardEvent.code -> key, as the page hands it to annotate.js."""
    return {label.code: label.key for label in LABELS}


def rated_keys() -> list[str]:
    """The labels a ClaimReview publishes: those with a rating (verified, disputed)."""
    return [label.key for label in LABELS if label.rating is not None]


def review_rating(key: str) -> dict | None:
    """The schema.org Rating of a ClaimReview for this label, or None for none."""
    label = get(key)
    if label is None or label.rating is None:
        return None
    return {"@type": "Rating", "alternateName": label.rating}


def check(labels: Iterable[ClaimLabel]) -> None:
    """Keys, keyboard keys and glyphs are each one label's own."""
    labels = list(labels)
    for field in ("key", "code", "glyph"):
        values = [getattr(label, field) for label in labels]
        if len(set(values)) != len(values):
            raise ValueError(f"Two labels share a {field}: {values}")


check(LABELS)


# --- The stylesheet ---------------------------------------------------------------------------

CSS_PATH = "static/css/labels.css"  # relative to the project (settings.BASE_DIR)


def _rules(label: ClaimLabel) -> list[str]:
    k, colour, tint = label.key, f"var(--label-{label.key})", f"var(--label-{label.key}-tint)"
    # The highlight's underline. A border (solid, dashed, dotted, double) sits at the bottom
    # of the mark's padding, which app.css deepens at each nesting level, so that nested
    # claims draw stacked lines. A border cannot be wavy: "wavy" is a text decoration, whose
    # offset app.css deepens the same way. Decorations from outer marks keep their own place
    # under the nested text, so every level stays visible.
    glyph = f'content: "{label.glyph}"; content: "{label.glyph}" / "";'  # the name says it
    if label.underline == "wavy":
        wave = f"text-decoration: underline wavy {colour} 1px; text-decoration-skip-ink: none;"
        line = wave
        # The legend's swatch shows the wave under its glyph, widened by spaces to show it
        swatch = [
            f".swatch.hl-{k} {{ background: {tint}; {wave} text-underline-offset: 0.35em; "
            f"color: {colour}; }}",
            f'.swatch.hl-{k}::after {{ content: "\\2002{label.glyph}\\2002" / ""; }}',
        ]
    else:
        width = "3px" if label.underline == "double" else "2px"  # double needs 3px to show
        border = f"{width} {label.underline} {colour}"
        line = f"border-bottom: {border};"
        swatch = [
            f".swatch.hl-{k} {{ background: {tint}; border-bottom: {border}; color: {colour}; }}"
        ]
    return [
        f"/* {k}: {label.glyph}, {label.underline} underline, key {label.letter} */",
        f"mark.hl-{k} {{ background-color: {tint}; {line} }}",
        # The glyph: wherever a label is shown (legends, pills, counts, label buttons, radios)
        f".swatch.hl-{k}::after, .label-pill.label-{k}::before, .count-{k}::before, "
        f".label-button.label-{k}::before, .label-radio.label-{k}::after {{ {glyph} }}",
        *swatch,
        f".label-pill.label-{k} {{ background: {colour}; }}",
        f".claim-{k} {{ border-left-color: {colour}; }}",
        f".count-{k}, .label-radio.label-{k} {{ color: {colour}; }}",
        f".counts .count-{k} {{ background: {tint}; }}",
        f".label-button.label-{k} {{ border-color: {colour}; color: {colour}; }}",
        f".label-button.label-{k}:hover, .label-button.label-{k}:focus-visible "
        f"{{ background: {colour}; color: #fff; }}",
        f".bar-{k} {{ fill: url(#label-fill-{k}) {colour}; }}",
    ]


# A chart's bars carry a texture besides the colour, from the same underline style: plain
# for solid, stripes for wavy, dots for dotted, dashes for dashed, two lines for double.
_TEXTURES = {
    "solid": "",
    "wavy": '<path d="M-1 1l2-2M0 5l5-5M4 6l2-2" stroke="#fff" stroke-width="1.1"/>',
    "dotted": '<circle cx="2.5" cy="2.5" r="1" fill="#fff"/>',
    "dashed": '<path d="M0 2.5h2.5" stroke="#fff" stroke-width="1.1"/>',
    "double": '<path d="M0 1.2h5M0 3.7h5" stroke="#fff" stroke-width="0.8"/>',
}


def svg_patterns(labels: Iterable[ClaimLabel] | None = None) -> str:
    """The fills of the chart bars (`.bar-<key>` in the stylesheet points at them), as an SVG
    of definitions to put once in a page that draws charts. Without it the bars are plain
    colour."""
    labels = list(LABELS if labels is None else labels)
    patterns = "".join(
        f'<pattern id="label-fill-{label.key}" patternUnits="userSpaceOnUse" width="5" '
        f'height="5"><rect width="5" height="5" fill="{label.colour}"/>'
        f"{_TEXTURES[label.underline]}</pattern>"
        for label in labels
    )
    return (
        '<svg class="label-patterns" width="0" height="0" aria-hidden="true" focusable="false">'
        f"<defs>{patterns}</defs></svg>"
    )


def stylesheet(labels: Iterable[ClaimLabel] | None = None) -> str:
    """The per-label rules of the app's stylesheet (served as a file: the CSP forbids inline
    styles). Linked after app.css, whose generic rules (.claim, .label-button, …) these
    refine."""
    labels = list(LABELS if labels is None else labels)
    lines = [
        "/* Generated from annotations/labels.py by `python manage.py labels_css`: do not edit.",
        "   Change the registry and run the command; a test fails while the two differ. */",
        ":root {",
        *(f"  --label-{label.key}: {label.colour};" for label in labels),
        *(f"  --label-{label.key}-tint: {label.tint};" for label in labels),
        "}",
    ]
    for label in labels:
        lines += ["", *_rules(label)]
    return "\n".join(lines) + "\n"
