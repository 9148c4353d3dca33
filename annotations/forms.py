"""Forms validate what users send; services decide what is written."""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from . import labels, text
from .models import Annotation, Article, Source

NOTE_MAX = 5000
# Ids, offsets and versions: anything larger cannot be a real one (and overflows SQLite).
MAX_INT = 2**31 - 1
QUOTE_MAX = 20_000


class HttpUrlField(forms.URLField):
    """A link that can only ever be http or https (never javascript: or data:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": "Enter a link that starts with http:// or https://."}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)


class TextRulesForm(forms.Form):
    """Every text field of every form gets the one text rule (`annotations.text`): a field
    of several lines (a textarea) may hold line breaks; the article body is normalised
    instead, as documented."""

    body_fields = ("body",)
    # Fields of several lines whatever their widget: a quote may span paragraphs.
    lines_fields = ("quote", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            if name in self.body_fields:
                rule = text.validate_body
            elif name in self.lines_fields or isinstance(field.widget, forms.Textarea):
                rule = text.validate_lines
            else:
                rule = text.validate_line
            field.validators.append(rule)


def _transport_newlines(value: str) -> str:
    # Browsers send form values with CRLF line breaks; bodies store "\n" only.
    return value.replace("\r\n", "\n").replace("\r", "\n")


class ArticleFilterForm(TextRulesForm):
    SORTS = {
        "-created_at": "Newest first",
        "created_at": "Oldest first",
        "-published_at": "Recently published",
        "title": "Title A–Z",
        "-n_disputed": "Most disputed",
        "-n_claims": "Most claims",
    }
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("open", "Not done yet"), *Article.Status.choices],
    )
    assignee = forms.ChoiceField(required=False, label="Assignee")
    outlet = forms.CharField(required=False, max_length=200)
    language = forms.CharField(required=False, max_length=16)
    has_disputed = forms.BooleanField(required=False, label="Has disputed claims")
    date_from = forms.DateField(required=False, label="Published from")
    date_to = forms.DateField(required=False, label="to")
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            ("none", "Unassigned"),
            *[(str(u.pk), u.get_username()) for u in users],
        ]

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        assignee = data.get("assignee") or ""
        return {
            "q": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "assignee": int(assignee) if assignee.isdigit() else None,
            "unassigned": assignee == "none",
            "outlet": (data.get("outlet") or "").strip(),
            "language": (data.get("language") or "").strip(),
            "has_disputed": bool(data.get("has_disputed")),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "order": data.get("sort") or "-created_at",
        }


class ClaimDetailsForm(TextRulesForm):
    """What a claim says beyond its span: verdict, source, grade, note, evidence."""

    label = forms.ChoiceField(choices=labels.choices)  # read when the form is used
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        error_messages={"invalid_choice": "That source does not exist (any more)."},
    )
    new_source_name = forms.CharField(required=False, max_length=200, label="New source")
    new_source_kind = forms.ChoiceField(
        required=False, choices=Source.Kind.choices, initial=Source.Kind.OTHER, label="Kind"
    )
    credibility = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *Annotation.Credibility.choices],
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"The note is too long (at most {NOTE_MAX} characters)."},
    )
    evidence_url = HttpUrlField(required=False, label="Evidence link")

    def clean_note(self) -> str:
        return _transport_newlines(self.cleaned_data["note"])

    def clean(self):
        data = super().clean()
        if data.get("source") and (data.get("new_source_name") or "").strip():
            raise forms.ValidationError("Pick an existing source or propose a new one, not both.")
        return data


class ClaimCreateForm(ClaimDetailsForm):
    """A claim from a selection: code point offsets, the selected text, the version seen."""

    start = forms.IntegerField(
        max_value=MAX_INT, min_value=0, error_messages={"min_value": "Offsets cannot be negative."}
    )
    end = forms.IntegerField(
        max_value=MAX_INT, min_value=1, error_messages={"min_value": "Offsets cannot be negative."}
    )
    quote = forms.CharField(strip=False, max_length=QUOTE_MAX)
    version = forms.IntegerField(max_value=MAX_INT, min_value=1, required=False)

    def clean_quote(self) -> str:
        return _transport_newlines(self.cleaned_data["quote"])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start >= end:
            raise forms.ValidationError(
                "The selection is empty: the start must come before the end."
            )
        return data


class ClaimByQuoteForm(ClaimDetailsForm):
    """Without JavaScript: paste the exact passage; the server finds it."""

    quote = forms.CharField(
        strip=False,
        max_length=QUOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Exact passage",
        help_text="Paste the passage exactly as it appears in the article.",
    )
    occurrence = forms.IntegerField(
        max_value=MAX_INT, required=False, min_value=0, widget=forms.HiddenInput
    )

    def clean_quote(self) -> str:
        # Pasted text may come decomposed (NFD) from some systems; bodies are stored NFC.
        quote = unicodedata.normalize("NFC", _transport_newlines(self.cleaned_data["quote"]))
        quote = quote.strip()
        if not quote:
            raise forms.ValidationError("Paste the passage you want to tag.")
        return quote


class ClaimFilterForm(TextRulesForm):
    """Which claims: the claims list, its export buttons and the export command share it."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    label = forms.ChoiceField(
        required=False, choices=lambda: [("", _("Any label")), *labels.choices()]
    )
    source = forms.IntegerField(
        max_value=MAX_INT, required=False, min_value=1, widget=forms.HiddenInput
    )
    source_status = forms.ChoiceField(
        required=False,
        label="Source review",
        choices=[("", "Any"), *Source.Review.choices, ("none", "No source")],
    )
    outlet = forms.CharField(required=False, max_length=200)
    editor = forms.ModelChoiceField(
        required=False,
        label="Editor",
        empty_label="Anyone",
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
    )
    date_from = forms.DateField(required=False, label="Tagged from")
    date_to = forms.DateField(required=False, label="to")
    anchor_state = forms.ChoiceField(
        required=False,
        label="Anchor",
        choices=[
            ("", "Any"),
            ("review", "Needs review (changed or orphaned)"),
            *Annotation.Anchor.choices,
        ],
    )
    article = forms.IntegerField(
        max_value=MAX_INT, required=False, min_value=1, widget=forms.HiddenInput
    )

    def selector_kwargs(self) -> dict:
        """The filters for selectors.claim_list. Call only on a valid form: an export of
        "everything" because a filter was mistyped would leak more than was asked for."""
        data = self.cleaned_data
        editor = data.get("editor")
        return {
            "q": (data.get("q") or "").strip(),
            "label": data.get("label") or "",
            "source": data.get("source"),
            "source_status": data.get("source_status") or "",
            "outlet": (data.get("outlet") or "").strip(),
            "editor": editor.pk if editor else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "anchor_state": data.get("anchor_state") or "",
            "article": data.get("article"),
        }


class ArticleForm(TextRulesForm):
    """A new article: what the editor pasted, or the draft an upload or a link produced."""

    title = forms.CharField(max_length=500)
    body = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Paste the article text. Line breaks are kept; each line is a paragraph.",
    )
    url = HttpUrlField(required=False, label="Link to the original")
    outlet = forms.CharField(required=False, max_length=200)
    author = forms.CharField(required=False, max_length=300)
    published_at = forms.DateTimeField(
        required=False,
        label="Published",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    language = forms.CharField(required=False, max_length=16, help_text="For example en, uk, ru.")

    def clean_body(self) -> str:
        from .anchoring import normalise_body

        body = normalise_body(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError("The article has no text.")
        return body


class UploadForm(TextRulesForm):
    file = forms.FileField(label="Article file (.txt or .html)")
    title = forms.CharField(
        required=False, max_length=500, help_text="Leave empty to use the file's own title."
    )

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        limit = settings.ARTICLE_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:.1f} MB; the limit is "
                f"{limit / 1048576:.1f} MB. Split it or paste the text instead."
            )
        if not upload.name.lower().endswith((".txt", ".text", ".html", ".htm")):
            raise forms.ValidationError("Upload a .txt or .html file.")
        return upload


class UrlForm(TextRulesForm):
    url = HttpUrlField(label="Link to the article")


class BulkImportForm(TextRulesForm):
    file = forms.FileField(label="JSONL, CSV or JSON-LD file")
    dry_run = forms.BooleanField(required=False, label="Check only (write nothing)")

    def clean_file(self):
        from .importers.bulk import detect_format

        upload = self.cleaned_data["file"]
        if detect_format(upload.name) is None:
            raise forms.ValidationError(
                "Upload a .jsonl, .csv or .jsonld file (see the schema below)."
            )
        return upload


class WorkflowForm(TextRulesForm):
    status = forms.ChoiceField(choices=Article.Status.choices)
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="Nobody",
    )


class SourceFilterForm(TextRulesForm):
    q = forms.CharField(required=False, max_length=200, label="Search")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Source.Kind.choices])
    reliability = forms.ChoiceField(
        required=False, choices=[("", "Any reliability"), *Source.Reliability.choices]
    )
    review_status = forms.ChoiceField(
        required=False, label="Review", choices=[("", "Any"), *Source.Review.choices]
    )


class SourceReviewForm(TextRulesForm):
    decision = forms.ChoiceField(
        choices=[(Source.Review.APPROVED, "Approve"), (Source.Review.REJECTED, "Reject")]
    )
    reliability = forms.ChoiceField(choices=Source.Reliability.choices, label="Reliability")
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label="Review note",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_status = forms.ChoiceField(choices=Source.Review.choices, widget=forms.HiddenInput)
    reconsider = forms.BooleanField(required=False, label="Reconsider an earlier decision")


class AliasForm(TextRulesForm):
    name = forms.CharField(max_length=200, label="Also known as")


class MergeForm(TextRulesForm):
    other = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        label="Duplicate to merge into this source",
        error_messages={"invalid_choice": "That source does not exist (any more)."},
    )


class CorrectionForm(ArticleForm):
    """An article's text and details, with the version the editor started from."""

    version = forms.IntegerField(max_value=MAX_INT, min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        max_length=500,
        label="What changed",
        help_text="For the history, e.g. “Outlet corrected the casualty figure”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = (
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
        label="Exact passage",
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
            raise forms.ValidationError("Select or paste the passage the claim refers to.")
        return quote


def form_errors(form) -> str:
    """A form's errors as one readable sentence per problem, for 4xx fragments."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        prefix = f"{label or field.replace('_', ' ').capitalize()}: " if field != "__all__" else ""
        parts.extend(prefix + str(e) for e in errors)
    return " ".join(parts)
