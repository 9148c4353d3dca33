"""The keyboard map of the article page, in one place.

Every key the article page answers to is a `Shortcut` here: the keys as printed, what they
do, and the bindings `annotate.js` matches key presses against. The same list feeds the
page's script (`client()`, handed over as JSON), the `?` help overlay (`help_groups()`) and
README's "Keyboard" section (`markdown()`; a test fails while README differs). The tagging
keys come from the label registry (`labels.py`), so a new label brings its key everywhere.

Single-key shortcuts act only while the article text or the tagging form has focus
(WCAG 2.1.4): `scope` says which. Letters are matched by `KeyboardEvent.code`, the key's
place, so V/D/U work on any layout (on a Ukrainian keyboard they are М/В/Г); named keys
(arrows, Enter, "?") by `KeyboardEvent.key`.

Pure Python: no database, no request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy, get_text_list
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import labels, similarity

# The letter keys as printed on each language's usual keyboard, by `KeyboardEvent.code` (the
# key's place, which is what annotate.js matches): the help and the label buttons name the
# key a reader sees. Ukrainian: the standard ЙЦУКЕН layout, so KeyV, KeyD and KeyU are М, В
# and Г. A language not listed here: the Latin letter (the US layout).
_UK_ROWS = ("QWERTYUIOP", "ЙЦУКЕНГШЩЗ"), ("ASDFGHJKL", "ФІВАПРОЛД"), ("ZXCVBNM", "ЯЧСМИТЬ")
PRINTED: dict[str, dict[str, str]] = {
    "uk": {
        f"Key{latin}": cyrillic
        for latin_row, cyrillic_row in _UK_ROWS
        for latin, cyrillic in zip(latin_row, cyrillic_row, strict=True)
    },
}


def printed(code: str) -> str:
    """The key at `code` as printed for the active language: "KeyV" is "V", or "М" in
    Ukrainian; "Digit1" is "1" everywhere."""
    language = (translation.get_language() or "").split("-")[0]
    return PRINTED.get(language, {}).get(code) or code.removeprefix("Key").removeprefix("Digit")


TEXT = "text"  # the article text has focus
FORM = "form"  # the tagging form (the popover dialog) has focus
EDIT = "edit"  # a claim's edit form, in the side list
SCOPES = {
    TEXT: _("While the article text has focus"),
    FORM: _("In the tagging form"),
    EDIT: _("In a claim’s edit form (Edit, in the list of claims)"),
}


@dataclass(frozen=True)
class Binding:
    """One key press and what annotate.js does with it.

    `action` is one of: move (arg: direction, granularity of Selection.modify; Shift
    extends), tag (arg: label key), open, clear, help, save, close, pick (arg: the number
    of a suggested same claim in the tagging form, "1"…), suggest (arg: next, previous,
    accept or dismiss a suggested claim)."""

    action: str
    key: str = ""  # KeyboardEvent.key ("ArrowLeft", "Enter", "?")
    code: str = ""  # KeyboardEvent.code, for letters ("KeyV")
    ctrl: bool = False  # Ctrl (or ⌘ on a Mac) held
    arg: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shortcut:
    scope: str
    keys: str | Promise  # as printed in the help: "Ctrl + ← →"
    does: str | Promise
    bindings: tuple[Binding, ...] = ()  # none: documented only (Shift, Tab: the browser's)


def _move(key: str, direction: str, granularity: str, *, ctrl: bool = False) -> Binding:
    return Binding("move", key=key, ctrl=ctrl, arg=(direction, granularity))


def _label_keys(scope: str, does: Promise) -> list[Shortcut]:
    """One shortcut per label of the registry: its key tags with it."""
    return [
        Shortcut(
            scope,
            lazy(printed, str)(label.code),  # in the language of the page that shows it
            format_lazy(does, name=label.name),
            (Binding("tag", code=label.code, arg=(label.key,)),),
        )
        for label in labels.LABELS
    ]


def _pick_keys() -> Shortcut:
    """The tagging form lists up to `similarity.LIMIT` claims of other articles that may be
    the same claim; the digit keys pick one, by `event.code` (Digit1…) as the letters are."""
    return Shortcut(
        FORM,
        format_lazy(pgettext_lazy("keys", "1 … {last}"), last=similarity.LIMIT),
        _(
            "Pick that suggestion of the same claim in another article (press again to "
            "unpick); saving links the new claim to it"
        ),
        tuple(
            Binding("pick", code=f"Digit{n}", arg=(str(n),)) for n in range(1, similarity.LIMIT + 1)
        ),
    )


def _suggestion_keys() -> list[Shortcut]:
    """Suggested claims (the dashed outlines, services.suggestions): A and X act on the one
    under the caret or the selection, or else the next one after it (the current one,
    outlined more strongly); J and K go from one to the next, as in many readers, leaving
    Tab to move the focus. Letters by `event.code`, as the label keys."""
    return [
        Shortcut(
            TEXT,
            pgettext_lazy("keys", "J K"),
            _("Go to the next or the previous suggested claim (dashed outline)"),
            (
                Binding("suggest", code="KeyJ", arg=("next",)),
                Binding("suggest", code="KeyK", arg=("previous",)),
            ),
        ),
        Shortcut(
            TEXT,
            pgettext_lazy("keys", "A"),
            _(
                "Accept the suggested claim at the caret, or the next one: the tagging form "
                "opens filled in, and one label key (or Enter, for the label it proposes) "
                "saves it"
            ),
            (Binding("suggest", code="KeyA", arg=("accept",)),),
        ),
        Shortcut(
            TEXT,
            pgettext_lazy("keys", "X"),
            _("Dismiss the suggested claim at the caret, or the next one, for everyone"),
            (Binding("suggest", code="KeyX", arg=("dismiss",)),),
        ),
    ]


def shortcuts() -> list[Shortcut]:
    """The whole map, in the order the help shows it. Read the label registry each time, so
    that a label added to it (or by a test) has its key here."""
    tag_keys = _label_keys(TEXT, _("Tag the selection as {name}"))
    save_keys = _label_keys(FORM, _("Save as {name} (outside the text fields)"))
    return [
        Shortcut(
            TEXT,
            _("Tab"),
            _("Reach the article text; a caret appears at its start, or where it last was"),
        ),
        Shortcut(
            TEXT,
            "← →",
            _("Move the caret one character (a flag or an accented letter is one step)"),
            (
                _move("ArrowLeft", "backward", "character"),
                _move("ArrowRight", "forward", "character"),
            ),
        ),
        Shortcut(
            TEXT,
            pgettext_lazy("keys", "Ctrl + ← →"),
            _("Move the caret one word"),
            (
                _move("ArrowLeft", "backward", "word", ctrl=True),
                _move("ArrowRight", "forward", "word", ctrl=True),
            ),
        ),
        Shortcut(
            TEXT,
            "↑ ↓",
            _("Move the caret one line"),
            (_move("ArrowUp", "backward", "line"), _move("ArrowDown", "forward", "line")),
        ),
        Shortcut(
            TEXT,
            pgettext_lazy("keys", "Home End"),
            _("Go to the start or the end of the line"),
            (_move("Home", "backward", "lineboundary"), _move("End", "forward", "lineboundary")),
        ),
        Shortcut(
            TEXT,
            pgettext_lazy("keys", "Shift + any of these"),
            _("Select from the caret (extend or shrink the selection)"),
        ),
        *tag_keys,
        Shortcut(
            TEXT,
            pgettext_lazy("keys", "Enter"),
            _(
                "Open the tagging form for the selection (source, credibility, evidence, note, "
                "public summary); on a highlight without a selection, open its claim’s actions "
                "in the list"
            ),
            (Binding("open", key="Enter"),),
        ),
        *_suggestion_keys(),
        Shortcut(
            TEXT,
            pgettext_lazy("keys", "Esc"),
            _("Clear the selection, keeping the caret"),
            (Binding("clear", key="Escape"),),
        ),
        Shortcut(TEXT, "?", _("Show these keys"), (Binding("help", key="?"),)),
        *save_keys,
        _pick_keys(),
        Shortcut(
            FORM,
            pgettext_lazy("keys", "← → on the label buttons"),
            _("Choose a label without saving yet"),
        ),
        Shortcut(
            FORM,
            pgettext_lazy("keys", "Ctrl + Enter"),
            _("Save with the chosen label, from any field"),
            (Binding("save", key="Enter", ctrl=True),),
        ),
        Shortcut(
            FORM,
            pgettext_lazy("keys", "Tab, Shift + Tab"),
            _("Move between the fields; focus stays in the form"),
        ),
        Shortcut(
            FORM,
            pgettext_lazy("keys", "Esc"),
            _("Close the form and go back to the text, the selection kept"),
            (Binding("close", key="Escape"),),
        ),
        Shortcut(
            FORM, "?", _("Show these keys (outside the text fields)"), (Binding("help", key="?"),)
        ),
        Shortcut(
            EDIT,
            pgettext_lazy("keys", "Ctrl + Enter"),
            _("Save the changes"),
            (Binding("save", key="Enter", ctrl=True),),
        ),
        Shortcut(
            EDIT,
            pgettext_lazy("keys", "Esc"),
            _("Cancel the changes"),
            (Binding("close", key="Escape"),),
        ),
    ]


def help_groups() -> list[tuple[str | Promise, list[Shortcut]]]:
    """(heading, shortcuts) by scope, for the help overlay."""
    everything = shortcuts()
    return [
        (heading, [s for s in everything if s.scope == scope]) for scope, heading in SCOPES.items()
    ]


def client() -> dict:
    """What annotate.js needs: the bindings, and the sentences it says when a key cannot act
    (no key press is silently ignored). Rendered in the page with json_script, so the
    sentences are in the reader's language."""
    letters = str(get_text_list([label.letter for label in labels.LABELS], gettext("or")))
    return {
        "bindings": [
            {
                "scope": s.scope,
                "action": b.action,
                "key": b.key,
                "code": b.code,
                "ctrl": b.ctrl,
                "arg": list(b.arg),
            }
            for s in shortcuts()
            for b in s.bindings
        ],
        "messages": {
            "no_selection": gettext(
                "Nothing is selected. Hold Shift and move with the arrow keys to select words, "
                "then press %(letters)s."
            )
            % {"letters": letters},
            "no_label": gettext(
                "No label chosen yet: press a label button, choose one with the arrow keys on "
                "the buttons, or press %(letters)s outside the text fields."
            )
            % {"letters": letters},
            "busy": gettext("Still saving the last claim; try again in a moment."),
            "read_only": gettext("Your role can read claims but not tag them."),
            "reattaching": gettext(
                "Re-attaching a claim: select its new words and confirm, or press Esc to cancel."
            ),
            "selected": gettext("Selected: %(quote)s"),
            "caret": gettext("Caret placed in the article text."),
            "closed": gettext("Tagging form closed; the selection is kept."),
            "no_suggestion": gettext(
                "No suggestion %(n)s: the tagging form lists no such claim of another article."
            ),
            "unpicked": gettext("No suggestion picked: the claim will not be linked."),
            "no_suggested_claim": gettext(
                "No suggested claim after the caret. Press K to go back to an earlier one."
            ),
            "no_suggested_claims": gettext("No suggested claims in this article."),
            "suggestions_loading": gettext("The suggested claims are still loading."),
            "suggestion_dismissed": gettext("Suggestion dismissed: %(quote)s"),
        },
    }


def markdown() -> str:
    """README's table of keys (in English: the docs are)."""
    with translation.override("en"):
        lines = []
        for heading, items in help_groups():
            lines += [f"**{heading}**", "", "| Keys | What they do |", "|---|---|"]
            lines += [f"| {s.keys} | {s.does} |" for s in items]
            lines.append("")
        return "\n".join(lines)
