"""Forms validate what users send; services decide what is written."""

from __future__ import annotations

import unicodedata
from datetime import UTC

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from . import labels
from .models import PUBLIC_SUMMARY_MAX, Annotation, Article, SharedClaim, Source
from .text import TextRulesForm

NOTE_MAX = 5000
# Ids, offsets and versions: anything larger cannot be a real one (and overflows SQLite).
MAX_INT = 2**31 - 1
QUOTE_MAX = 20_000
# What the same-claim suggestions look at of a passage: its first characters. A claim is a
# sentence or two; a longer selection would not fit in the URL of the GET that asks (4 KB
# request lines: gunicorn's limit), so the pages send no more than this (`data-quote-chars`).
SIMILAR_QUOTE_CHARS = 300


class HttpUrlField(forms.URLField):
    """A link that can only ever be http or https (never javascript: or data:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": _("Enter a link that starts with http:// or https://.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)


def _transport_newlines(value: str) -> str:
    # Browsers send form values with CRLF line breaks; bodies store "\n" only.
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _lines_field(limit: int, *, label, too_long) -> forms.CharField:
    """An optional text of a few lines (a note, a summary) of at most `limit` characters."""
    return forms.CharField(
        required=False,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=label,
        error_messages={"max_length": too_long},
    )


class ClaimDetailsForm(TextRulesForm):
    """What a claim says beyond its span: verdict, source, grade, note, public summary,
    evidence."""

    label = forms.ChoiceField(choices=labels.choices)  # read when the form is used
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("That source does not exist (any more).")},
    )
    new_source_name = forms.CharField(required=False, max_length=200, label=_("New source"))
    new_source_kind = forms.ChoiceField(
        required=False, choices=Source.Kind.choices, initial=Source.Kind.OTHER, label=_("Kind")
    )
    credibility = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *Annotation.Credibility.choices],
    )
    note = _lines_field(
        NOTE_MAX,
        label=_("Internal note (never published)"),
        too_long=_("The note is too long (at most %(limit_value)d characters)."),
    )
    public_summary = _lines_field(
        PUBLIC_SUMMARY_MAX,
        label=_("Public summary (published in ClaimReview)"),
        too_long=_("The public summary is too long (at most %(limit_value)d characters)."),
    )
    evidence_url = HttpUrlField(required=False, label=_("Evidence link"))

    # What the claim services take of these fields as they are.
    DETAILS = ("label", "credibility", "note", "public_summary", "evidence_url")

    @staticmethod
    def values_of(claim: Annotation) -> dict:
        """The claim's details as the form shows them (its initial values)."""
        return {
            "label": claim.label,
            "source": claim.source_id,
            "credibility": claim.credibility,
            "note": claim.note,
            "public_summary": claim.public_summary,
            "evidence_url": claim.evidence_url,
        }

    def details(self) -> dict:
        """The valid form's details as keyword arguments for the claim services (create,
        update): verdict, grade, note, summary, evidence, and the source picked or a new
        name to propose (the services check who may)."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.DETAILS},
            "source": data.get("source"),
            "new_source_name": (data.get("new_source_name") or "").strip(),
            "new_source_kind": data.get("new_source_kind") or Source.Kind.OTHER,
        }

    def clean_note(self) -> str:
        return _transport_newlines(self.cleaned_data["note"])

    def clean_public_summary(self) -> str:
        return _transport_newlines(self.cleaned_data["public_summary"])

    def clean(self):
        data = super().clean()
        if data.get("source") and (data.get("new_source_name") or "").strip():
            raise forms.ValidationError(
                _("Pick an existing source or propose a new one, not both.")
            )
        return data


def _link_to_field() -> forms.IntegerField:
    """The claim of another article that a new claim's form picked among the suggestions of
    the same claim elsewhere: saving links the new claim to it. Empty: none was picked."""
    return forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_INT,
        label=_("Same claim as"),
        error_messages={"invalid": _("Pick one of the suggested claims, or none.")},
    )


class ClaimCreateForm(ClaimDetailsForm):
    """A claim from a selection: code point offsets, the selected text, the version seen,
    and the suggestion of the same claim elsewhere to link it to, if one was picked."""

    start = forms.IntegerField(
        max_value=MAX_INT,
        min_value=0,
        error_messages={"min_value": _("Offsets cannot be negative.")},
    )
    end = forms.IntegerField(
        max_value=MAX_INT,
        min_value=1,
        error_messages={"min_value": _("Offsets cannot be negative.")},
    )
    quote = forms.CharField(strip=False, max_length=QUOTE_MAX)
    version = forms.IntegerField(max_value=MAX_INT, min_value=1, required=False)
    link_to = _link_to_field()

    def clean_quote(self) -> str:
        return _transport_newlines(self.cleaned_data["quote"])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start >= end:
            raise forms.ValidationError(
                _("The selection is empty: the start must come before the end.")
            )
        return data


class ClaimByQuoteForm(ClaimDetailsForm):
    """Without JavaScript: paste the exact passage; the server finds it."""

    quote = forms.CharField(
        strip=False,
        max_length=QUOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Exact passage"),
        help_text=_("Paste the passage exactly as it appears in the article."),
    )
    occurrence = forms.IntegerField(
        max_value=MAX_INT, required=False, min_value=0, widget=forms.HiddenInput
    )
    link_to = _link_to_field()

    def clean_quote(self) -> str:
        # Pasted text may come decomposed (NFD) from some systems; bodies are stored NFC.
        quote = unicodedata.normalize("NFC", _transport_newlines(self.cleaned_data["quote"]))
        quote = quote.strip()
        if not quote:
            raise forms.ValidationError(_("Paste the passage you want to tag."))
        return quote


class SimilarQuoteForm(TextRulesForm):
    """A passage to find the same claim for in other articles (the tagging form asks as
    soon as a passage is selected)."""

    quote = forms.CharField(
        strip=False,
        max_length=QUOTE_MAX,
        label=_("Passage"),
        error_messages={"required": _("Select or paste a passage to look for.")},
    )

    def clean_quote(self) -> str:
        quote = _transport_newlines(self.cleaned_data["quote"]).strip()
        if not quote:
            raise forms.ValidationError(_("Select or paste a passage to look for."))
        return quote[:SIMILAR_QUOTE_CHARS]


class LinkClaimForm(forms.Form):
    """Link a claim to the claim of another article that makes the same assertion."""

    other = forms.IntegerField(
        min_value=1,
        max_value=MAX_INT,
        label=_("Claim"),
        error_messages={
            "required": _("Say which claim this one is the same as."),
            "invalid": _("Say which claim this one is the same as."),
        },
    )


class ArticleForm(TextRulesForm):
    """A new article: what the editor pasted, or the draft an upload or a link produced."""

    title = forms.CharField(max_length=500)
    body = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Paste the article text. Line breaks are kept; each line is a paragraph."),
    )
    url = HttpUrlField(required=False, label=_("Link to the original"))
    outlet = forms.CharField(required=False, max_length=200)
    author = forms.CharField(required=False, max_length=300)
    published_at = forms.DateTimeField(
        required=False,
        label=_("Published"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    language = forms.CharField(
        required=False, max_length=16, help_text=_("For example en, uk, ru.")
    )

    def clean_body(self) -> str:
        from .anchoring import normalise_body

        body = normalise_body(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError(_("The article has no text."))
        return body

    def clean_published_at(self):
        """The same moment in UTC: an offset may be anything under a day in ISO 8601, but
        PostgreSQL refuses one past 15:59 (a 500 for "…T19:23:45-22:13")."""
        published = self.cleaned_data["published_at"]
        if published is None:
            return published
        try:
            return published.astimezone(UTC)
        except OverflowError:  # the moment is before year 1 or after 9999 in UTC
            raise forms.ValidationError(
                self.fields["published_at"].error_messages["invalid"], code="invalid"
            ) from None


class NewArticleForm(ArticleForm):
    """A new article, pasted or in the preview of an upload or a link.

    The title may be left empty: the view then takes the text's first line as the title
    (`extraction.title_from_first_line`) and shows the preview again before anything is
    saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the first line of the text.")

    def clean(self):
        data = super().clean()
        if not data.get("title") and data.get("body"):
            self.add_error("title", _("Give the article a title."))
        return data


class UploadForm(TextRulesForm):
    file = forms.FileField(label=_("Article file (.txt or .html)"))
    title = forms.CharField(
        required=False, max_length=500, help_text=_("Leave empty to use the file's own title.")
    )

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        limit = settings.ARTICLE_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size).1f MB; the limit is %(limit).1f MB. "
                    "Split it or paste the text instead."
                )
                % {"size": upload.size / 1048576, "limit": limit / 1048576}
            )
        if not upload.name.lower().endswith((".txt", ".text", ".html", ".htm")):
            raise forms.ValidationError(_("Upload a .txt or .html file."))
        return upload


class UrlForm(TextRulesForm):
    url = HttpUrlField(label=_("Link to the article"))


class BulkImportForm(TextRulesForm):
    file = forms.FileField(label=_("JSONL, CSV or JSON-LD file"))
    dry_run = forms.BooleanField(required=False, label=_("Check only (write nothing)"))

    def clean_file(self):
        from .importers.bulk import detect_format

        upload = self.cleaned_data["file"]
        if detect_format(upload.name) is None:
            raise forms.ValidationError(
                _("Upload a .jsonl, .csv or .jsonld file (see the schema below).")
            )
        return upload


class WorkflowForm(TextRulesForm):
    status = forms.ChoiceField(choices=Article.Status.choices)
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("Nobody"),
    )


class SourceReviewForm(TextRulesForm):
    decision = forms.ChoiceField(
        choices=[(Source.Review.APPROVED, _("Approve")), (Source.Review.REJECTED, _("Reject"))]
    )
    reliability = forms.ChoiceField(choices=Source.Reliability.choices, label=_("Reliability"))
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label=_("Review note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_status = forms.ChoiceField(choices=Source.Review.choices, widget=forms.HiddenInput)
    reconsider = forms.BooleanField(required=False, label=_("Reconsider an earlier decision"))


class AliasForm(TextRulesForm):
    name = forms.CharField(max_length=200, label=_("Also known as"))


class SourceProposalForm(TextRulesForm):
    """A new source, pending review, proposed on its own (the API's `POST /sources/`): the
    name and kind a claim form proposes a source with (its `new_source_name` and
    `new_source_kind`), and the link and description the admin's add page has too."""

    name = forms.CharField(max_length=200, label=_("Name"))
    kind = forms.ChoiceField(
        required=False, choices=Source.Kind.choices, initial=Source.Kind.OTHER, label=_("Kind")
    )
    url = HttpUrlField(required=False, label=_("Link"))
    description = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or Source.Kind.OTHER


class ApiTokenForm(TextRulesForm):
    """A new personal API token: its name, to tell it apart (the service checks it)."""

    name = forms.CharField(
        max_length=100,
        label=_("Name"),
        help_text=_("What the token is for, for example “CMS push” or “Daily export script”."),
    )


class MergeForm(TextRulesForm):
    other = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        label=_("Duplicate to merge into this source"),
        error_messages={"invalid_choice": _("That source does not exist (any more).")},
    )


class AppearanceForm(TextRulesForm):
    """One appearance (a claim) of a shared claim, to unlink it there."""

    claim = forms.IntegerField(min_value=1, max_value=MAX_INT, label=_("Claim"))


class SharedClaimTitleForm(TextRulesForm):
    title = forms.CharField(
        max_length=SharedClaim._meta.get_field("title").max_length, label=_("Title")
    )


class SharedClaimMergeForm(TextRulesForm):
    """The shared claim to merge into another: its number ("12", "#12") or words of its
    title (the page then lists those that match)."""

    other = forms.CharField(
        max_length=300, label=_("Shared claim to merge into this one (its number or title)")
    )
    confirm = forms.BooleanField(required=False)


class CorrectionForm(ArticleForm):
    """An article's text and details, with the version the editor started from."""

    version = forms.IntegerField(max_value=MAX_INT, min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        max_length=500,
        label=_("What changed"),
        help_text=_("For the history, e.g. “Outlet corrected the casualty figure”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "Every claim is re-anchored when you save: it follows its words, or is flagged "
            "for review when its text changed or is gone."
        )


class ReattachForm(TextRulesForm):
    """A new place for an orphaned claim: a selection (offsets and text) or a pasted quote."""

    start = forms.IntegerField(max_value=MAX_INT, min_value=0, required=False)
    end = forms.IntegerField(max_value=MAX_INT, min_value=1, required=False)
    quote = forms.CharField(
        strip=False,
        max_length=QUOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Exact passage"),
    )
    version = forms.IntegerField(max_value=MAX_INT, min_value=1, required=False)
    occurrence = forms.IntegerField(
        max_value=MAX_INT, required=False, min_value=0, widget=forms.HiddenInput
    )

    def clean_quote(self) -> str:
        quote = _transport_newlines(self.cleaned_data["quote"])
        if self.data.get("start") in (None, ""):
            quote = unicodedata.normalize("NFC", quote).strip()
        if not quote:
            raise forms.ValidationError(_("Select or paste the passage the claim refers to."))
        return quote


def form_errors(form) -> str:
    """A form's errors as one readable sentence per problem, for 4xx fragments."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        prefix = f"{label or field.replace('_', ' ').capitalize()}: " if field != "__all__" else ""
        parts.extend(prefix + str(e) for e in errors)
    return " ".join(parts)


class AcceptQuoteForm(TextRulesForm):
    """A reviewer accepts the words a correction put under a claim: the label is asked for
    again (confirmed or changed: "31 drones" becoming "13 drones" may change the verdict);
    `expected_quote` holds the words they saw, so a later change is not accepted unseen."""

    lines_fields = ("expected_quote",)

    label = forms.ChoiceField(
        choices=labels.choices,
        label=_("Label"),
        error_messages={"required": _("Confirm the label, or choose another.")},
    )
    expected_quote = forms.CharField(strip=False, max_length=QUOTE_MAX, widget=forms.HiddenInput)

    def clean_expected_quote(self) -> str:
        return _transport_newlines(self.cleaned_data["expected_quote"])


# The buttons that move a claim's edges by one grapheme: (edge, direction).
NUDGES = {
    "start-back": ("start", -1),
    "start-forward": ("start", 1),
    "end-back": ("end", -1),
    "end-forward": ("end", 1),
}


class ClaimSpanForm(TextRulesForm):
    """A claim's span as its edit form carries it: where the edges are now (`start`, `end`,
    `quote`, moved by the nudge buttons, one grapheme a press) and where they were when the
    form opened (`was_start`, `was_end`, `was_quote`, with the article's `version`), so that
    saving can tell a moved span from an unchanged one and refuse one from a stale page."""

    lines_fields = ("quote", "was_quote")

    start = forms.IntegerField(min_value=0, max_value=MAX_INT)
    end = forms.IntegerField(min_value=1, max_value=MAX_INT)
    quote = forms.CharField(strip=False, max_length=QUOTE_MAX)
    was_start = forms.IntegerField(min_value=0, max_value=MAX_INT)
    was_end = forms.IntegerField(min_value=1, max_value=MAX_INT)
    was_quote = forms.CharField(strip=False, max_length=QUOTE_MAX)
    version = forms.IntegerField(min_value=1, max_value=MAX_INT)
    nudge = forms.ChoiceField(required=False, choices=[(key, key) for key in NUDGES])

    def clean_quote(self) -> str:
        return _transport_newlines(self.cleaned_data["quote"])

    def clean_was_quote(self) -> str:
        return _transport_newlines(self.cleaned_data["was_quote"])

    @property
    def moved(self) -> bool:
        data = self.cleaned_data
        return (data["start"], data["end"], data["quote"]) != (
            data["was_start"],
            data["was_end"],
            data["was_quote"],
        )
