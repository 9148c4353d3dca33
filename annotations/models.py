"""Sources, articles and the claims (annotations) editors make on them.

Rules that must always hold live in the database as constraints, not only in forms.
Writes go through `annotations.services`; models carry no logic in `save()` and no signals.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, LessThanOrEqual
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import cues, labels
from .text import utc_moment, validate_body, validate_iri, validate_line, validate_lines

User = settings.AUTH_USER_MODEL

PREFIX_SUFFIX_LENGTH = 32
# A claim's public summary is published as a ClaimReview's reviewBody: a few sentences.
PUBLIC_SUMMARY_MAX = 2000

DUPLICATE_CLAIM = _(
    "This passage is already tagged with this verdict and source. Edit that claim instead."
)


@functools.cache
def _choices_of(field: models.Field) -> dict:
    return dict(make_hashable(field.flatchoices))


class ChoiceDisplay(models.Model):
    """`get_FOO_display()` reading each field's choices from a dict built once, instead of
    Django's, which builds it again on every call (with our translated choices, about 0.2 ms
    each; a claim's card shows four). The same values: a value without a choice shows as
    it is, and the names are translated when shown."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        return force_str(_choices_of(field).get(make_hashable(value), value), strings_only=True)


class SourceKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    MILITARY = "military", _("Military")
    INTELLIGENCE = "intelligence", _("Intelligence")
    MEDIA = "media", _("Media")
    NGO = "ngo", _("NGO")
    EXPERT = "expert", _("Expert")
    SOCIAL_MEDIA = "social_media", _("Social media")
    SPOKESPERSON = "spokesperson", _("Spokesperson")
    ANONYMOUS = "anonymous", _("Anonymous")
    OTHER = "other", _("Other")


class Reliability(models.TextChoices):
    """Admiralty (NATO) scale for the reliability of a source."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class SourceReview(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ArticleStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


# The verdicts, from the label registry (annotations/labels.py): Label.VERIFIED, ….
Label = models.TextChoices(
    "Label",
    [(label.member, (label.key, label.name)) for label in labels.LABELS],
    module=__name__,
)


class Credibility(models.IntegerChoices):
    """Admiralty scale for the credibility of a piece of information."""

    CONFIRMED = 1, _("1: confirmed by other sources")
    PROBABLY_TRUE = 2, _("2: probably true")
    POSSIBLY_TRUE = 3, _("3: possibly true")
    DOUBTFUL = 4, _("4: doubtful")
    IMPROBABLE = 5, _("5: improbable")
    CANNOT_JUDGE = 6, _("6: truth cannot be judged")


class AnchorState(models.TextChoices):
    ANCHORED = "anchored", _("Anchored")
    MOVED = "moved", _("Moved")
    CHANGED = "changed", _("Quote changed")
    ORPHANED = "orphaned", _("Orphaned")


class AnchorReason(models.TextChoices):
    """Why a correction flagged a claim for review (empty while it is on its own words)."""

    NONE = "", "—"
    DELETED = "deleted", _("Its words were deleted by a correction.")
    ALTERED = "altered", _("Its words were changed by a correction.")
    AMBIGUOUS = (
        "ambiguous",
        _(
            "After a correction its words read the same in two places, and which one is "
            "this claim's cannot be told from the text."
        ),
    )
    COLLISION = (
        "collision",
        _("After a correction another claim with the same verdict and source is on these words."),
    )


class Source(ChoiceDisplay):
    """Who made a claim: an agency, a ministry, a Telegram channel, an official."""

    Kind = SourceKind
    Reliability = Reliability
    Review = SourceReview

    name = models.CharField(max_length=200, validators=[validate_line])
    # NFKC + casefold of the name; see names.fold_name. Unique, and every name and alias
    # is also a row of SourceAlias, whose own unique key spans names and aliases together.
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)
    url = models.URLField(max_length=2000, blank=True, validators=[validate_line])
    description = models.TextField(blank=True, validators=[validate_lines])
    reliability = models.CharField(max_length=1, choices=Reliability, default=Reliability.F)
    review_status = models.CharField(max_length=10, choices=Review, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_sources"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, validators=[validate_lines])
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="created_sources"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        permissions = [("review_source", "Can review, grade and merge sources")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in SourceKind]), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reliability__in=[r.value for r in Reliability]),
                name="source_reliability_valid",
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=[r.value for r in SourceReview]),
                name="source_review_status_valid",
            ),
            models.CheckConstraint(condition=~Q(name_key=""), name="source_name_key_not_empty"),
        ]
        indexes = [models.Index(fields=["review_status", "name"], name="source_review_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("annotations:source-detail", args=[self.pk])

    @property
    def is_rejected(self) -> bool:
        return self.review_status == self.Review.REJECTED


class PendingSource(Source):
    """The review queue in the admin: sources waiting for a reviewer."""

    class Meta:
        proxy = True
        verbose_name = _("source awaiting review")
        verbose_name_plural = _("review queue")


class SourceAlias(models.Model):
    """Every name a source goes by, its main name included (`is_primary`).

    Keeping the main name here too lets one unique index on `name_key` make names and
    aliases unique across each other, on SQLite as on PostgreSQL.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, validators=[validate_line])
    name_key = models.CharField(max_length=200, unique=True)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name_plural = _("source aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=Q(is_primary=True), name="one_primary_name_per_source"
            ),
            models.CheckConstraint(condition=~Q(name_key=""), name="alias_name_key_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def alive(self) -> ArticleQuerySet:
        return self.filter(deleted_at__isnull=True)


class Article(ChoiceDisplay):
    Status = ArticleStatus

    title = models.CharField(max_length=500, validators=[validate_line])
    url = models.URLField(max_length=2000, blank=True, validators=[validate_line])
    outlet = models.CharField(max_length=200, blank=True, validators=[validate_line])
    author = models.CharField(max_length=300, blank=True, validators=[validate_line])
    published_at = models.DateTimeField(null=True, blank=True)
    # Plain text, normalised once on the way in (NFC, "\n" line endings): offsets index it.
    body = models.TextField(validators=[validate_body])
    body_hash = models.CharField(max_length=64, editable=False)
    language = models.CharField(max_length=16, blank=True, validators=[validate_line])
    status = models.CharField(max_length=12, choices=Status, default=Status.NEW)
    assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_articles"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="created_articles"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every correction of the text (optimistic locking).
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="deleted_articles"
    )

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_hash"])

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("correct_any_article", "Can correct the text of any article"),
            ("import_articles", "Can bulk import articles"),
            ("restore_article", "Can restore deleted articles"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="article_url_unique_when_given"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ArticleStatus]),
                name="article_status_valid",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="article_version_positive"),
        ]
        indexes = [
            models.Index(fields=["body_hash"], name="article_body_hash_idx"),
            models.Index(fields=["status", "-created_at"], name="article_status_idx"),
            models.Index(fields=["outlet"], name="article_outlet_idx"),
            models.Index(fields=["-created_at", "-id"], name="article_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("annotations:article-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.published_at is not None:
            try:
                self.published_at = utc_moment(self.published_at)
            except ValidationError as error:
                raise ValidationError({"published_at": error.messages}) from None

    @property
    def current_evidence(self) -> Evidence | None:
        """The row of the page the article was imported from (None when it was not)."""
        if not self.url or self.pk is None:
            return None
        return next((e for e in self.evidence.all() if e.url == self.url), None)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Annotation(ChoiceDisplay):
    """A claim: a span of an article's body with a verdict and (usually) a source."""

    Label = Label
    Credibility = Credibility
    Anchor = AnchorState
    AnchorWhy = AnchorReason
    # Where the claim stands and why: what a correction's re-anchoring writes
    # (services.articles), and what an edit of its verdict never does (services.claims).
    PLACEMENT_FIELDS = (
        "start",
        "end",
        "quote",
        "prefix",
        "suffix",
        "anchor_state",
        "anchor_reason",
        "original_quote",
    )

    # No index of its own: annotation_reading_idx (article, start, end, id) leads with it
    # (an index less to keep on every claim written; issue 25).
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="annotations", db_index=False
    )
    # Unicode code point offsets into Article.body: body[start:end] == quote while anchored.
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField(validators=[validate_lines])
    prefix = models.CharField(max_length=PREFIX_SUFFIX_LENGTH, blank=True)
    suffix = models.CharField(max_length=PREFIX_SUFFIX_LENGTH, blank=True)
    label = models.CharField(max_length=12, choices=Label)
    credibility = models.PositiveSmallIntegerField(choices=Credibility, null=True, blank=True)
    # No index of its own: annotation_source_idx (source, created_at) leads with it.
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annotations",
        db_index=False,
    )
    # Internal: it may name a protected source, so it is never published (no ClaimReview).
    note = models.TextField(_("internal note"), blank=True, validators=[validate_lines])
    # What the desk says in public about the claim: a ClaimReview's reviewBody.
    public_summary = models.TextField(
        _("public summary"),
        blank=True,
        validators=[validate_lines, MaxLengthValidator(PUBLIC_SUMMARY_MAX)],
    )
    evidence_url = models.URLField(max_length=2000, blank=True, validators=[validate_line])
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="created_annotations"
    )
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="updated_annotations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anchor_state = models.CharField(max_length=10, choices=Anchor, default=Anchor.ANCHORED)
    # Why it is flagged (changed or orphaned), for the reviewer.
    anchor_reason = models.CharField(
        max_length=10, choices=AnchorReason, default=AnchorReason.NONE, blank=True
    )
    # The quote as first tagged, once a correction changed the text under it.
    original_quote = models.TextField(blank=True, validators=[validate_lines])
    # W3C Web Annotation Protocol (api/w3c.py): the `canonical` IRI a client gave the
    # annotation it posted, kept unchanged as the protocol requires, and `via`, the id it had
    # before it came here (another desk's claim, say). Empty for claims made here.
    canonical = models.CharField(max_length=2000, blank=True, validators=[validate_iri])
    via = models.CharField(max_length=2000, blank=True, validators=[validate_iri])
    # The one assertion this claim is an appearance of, in other articles too (similar
    # claims). Linked and unlinked by services.shared_claims, never by an edit of the claim.
    shared_claim = models.ForeignKey(
        "SharedClaim",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appearances",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["article_id", "start", "-end", "id"]
        permissions = [
            ("change_any_annotation", "Can change or delete anyone's claims and resolve orphans")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="annotation_start_not_negative"),
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="annotation_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(label__in=Label.values),  # adding a label: a migration
                name="annotation_label_valid",
            ),
            models.CheckConstraint(
                condition=~Q(label=Label.UNATTRIBUTED) | Q(source__isnull=True),
                name="annotation_unattributed_has_no_source",
            ),
            models.CheckConstraint(
                condition=Q(credibility__isnull=True) | Q(credibility__gte=1, credibility__lte=6),
                name="annotation_credibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(anchor_state__in=[a.value for a in AnchorState]),
                name="annotation_anchor_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(evidence_url="")
                | Q(evidence_url__startswith="http://")
                | Q(evidence_url__startswith="https://"),
                name="annotation_evidence_url_http",
            ),
            models.CheckConstraint(
                condition=Q(anchor_reason__in=[r.value for r in AnchorReason]),
                name="annotation_anchor_reason_valid",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("public_summary"), PUBLIC_SUMMARY_MAX),
                name="annotation_public_summary_length",
            ),
            # One save is one claim: the same passage with the same verdict and source
            # twice would count twice in every export and chart. Two partial indexes,
            # because NULL sources are distinct in a plain unique index (and Django drops
            # nulls_distinct=False on SQLite). Orphans are out: their offsets point at an
            # older text.
            models.UniqueConstraint(
                fields=["article", "start", "end", "label"],
                condition=Q(source__isnull=True) & ~Q(anchor_state=AnchorState.ORPHANED),
                name="annotation_one_claim_per_span",
                violation_error_message=DUPLICATE_CLAIM,
            ),
            models.UniqueConstraint(
                fields=["article", "start", "end", "label", "source"],
                condition=Q(source__isnull=False) & ~Q(anchor_state=AnchorState.ORPHANED),
                name="annotation_one_claim_per_span_source",
                violation_error_message=DUPLICATE_CLAIM,
            ),
        ]
        indexes = [
            # Reading order (the article page, its side list by pages, the blocks a save
            # touches): walked in order, no sort. Label, anchor state and source ride along,
            # so that the blocks' claims and a save's summary (selectors.around_saved_claim)
            # are read from the index alone, never from the table's rows.
            models.Index(
                fields=["article", "start", "-end", "id", "label", "anchor_state", "source"],
                name="annotation_reading_idx",
            ),
            models.Index(fields=["label", "-created_at"], name="annotation_label_idx"),
            models.Index(fields=["source", "-created_at"], name="annotation_source_idx"),
            models.Index(fields=["anchor_state"], name="annotation_anchor_idx"),
            models.Index(fields=["-created_at", "-id"], name="annotation_recent_idx"),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"{self.get_label_display()}: {quote}"

    def get_absolute_url(self) -> str:
        # ?claim= makes the article page list claims as far as this one (the side list
        # loads page by page); no query for the article.
        page = reverse("annotations:article-detail", args=[self.article_id])
        return f"{page}?claim={self.pk}#claim-{self.pk}"

    @property
    def current_evidence(self) -> Evidence | None:
        """The row of the evidence link the claim has now (None before it is tracked), from
        `selectors.EVIDENCE_PREFETCH` when the claims came with it, else one query."""
        if not self.evidence_url or self.pk is None:
            return None
        return next((e for e in self.evidence.all() if e.url == self.evidence_url), None)

    @property
    def grade(self) -> str:
        """The Admiralty code, e.g. "B2": source reliability then claim credibility."""
        letter = self.source.reliability if self.source_id else ""
        number = str(self.credibility) if self.credibility else ""
        return f"{letter}{number}"

    @property
    def is_anchored(self) -> bool:
        return self.anchor_state in (self.Anchor.ANCHORED, self.Anchor.MOVED)


class SharedClaim(models.Model):
    """One assertion that appears in many articles, outlets and languages: its appearances
    are claims (`Annotation.shared_claim`). Made when an editor links two claims, merged by
    reviewers; it never holds a verdict of its own: each appearance keeps its label."""

    title = models.CharField(_("title"), max_length=300, validators=[validate_line])
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shared claim")
        verbose_name_plural = _("shared claims")
        permissions = [
            ("link_shared_claim", "Can link claims as one shared claim, and unlink them"),
            ("merge_shared_claim", "Can merge shared claims"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="shared_claim_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("annotations:shared-claim", args=[self.pk])


class ClaimTerm(models.Model):
    """What the similar-claims matcher finds a claim by (`similarity.terms`): its numbers,
    names and lemmas, each with a weight. Kept by the services whenever a quote is made,
    changed, re-anchored or deleted; never shown."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["annotation_id", "term"]
        constraints = [
            models.UniqueConstraint(fields=["annotation", "term"], name="claim_term_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="claim_term_weight_positive"),
        ]
        indexes = [models.Index(fields=["term", "annotation"], name="claim_term_lookup_idx")]

    def __str__(self) -> str:
        return self.term


class ClaimQuote(models.Model):
    """A claim's quote as the similar-claims trigram search reads it (PostgreSQL only: its
    GIN trigram index, `shared._trigram_ids`). Kept beside the claim, not on it, so that
    writing many claims (the bulk import) does not maintain that index: these rows are
    written with the claim's terms (`services.shared_claims`), inline for a single save and
    by the terms job for an import, whose claims `TermsPending` already says are not
    searched yet. Deleted with the claim by the database (`ON DELETE CASCADE`, no query of
    Django's). SQLite has no trigram search and leaves the table empty."""

    annotation = models.OneToOneField(
        Annotation,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the database's own cascade (migration 0029)
        db_constraint=False,
        related_name="trigram_quote",
    )
    quote = models.TextField()

    class Meta:
        ordering = ["annotation_id"]

    def __str__(self) -> str:
        return self.quote[:50]


class TermsPending(models.Model):
    """An article whose claims came in bulk and have no matcher terms yet: the job that
    writes them (`services.shared_claims.claim_terms_fill`) was enqueued with the import and
    deletes this row when it has. Until then the similar-claims search says that some claims
    are not searched yet (`shared.terms_pending`), instead of missing them silently."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="terms_pending"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id"]

    def __str__(self) -> str:
        return f"terms pending for article {self.article_id}"


class SuggestionDismissal(models.Model):
    """A suggested claim (`annotations.suggesting`) that an editor dismissed on an article:
    it stays hidden for everyone. It stores its words and context as a claim does, and a
    correction of the article re-anchors it as it re-anchors claims (services.suggestions).
    One whose words cannot be followed is orphaned: it hides nothing any more (the
    suggestion may come back), never a different passage."""

    Anchor = AnchorState
    # Where a dismissal can stand: on its words (as first dismissed, or moved with them), or
    # orphaned. There is no "quote changed" for a dismissal: changed words are another
    # passage, which it must not hide.
    STATES = (AnchorState.ANCHORED, AnchorState.MOVED, AnchorState.ORPHANED)

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="suggestion_dismissals"
    )
    # Unicode code point offsets into Article.body: body[start:end] == quote unless orphaned.
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField(validators=[validate_lines])
    prefix = models.CharField(max_length=PREFIX_SUFFIX_LENGTH, blank=True)
    suffix = models.CharField(max_length=PREFIX_SUFFIX_LENGTH, blank=True)
    anchor_state = models.CharField(max_length=10, choices=Anchor, default=Anchor.ANCHORED)
    anchor_reason = models.CharField(
        max_length=10, choices=AnchorReason, default=AnchorReason.NONE, blank=True
    )
    # The cue the suggestion came from, as written ("according to"), for the record.
    cue = models.CharField(max_length=200, blank=True, validators=[validate_line])
    dismissed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "start", "-end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="dismissal_start_not_negative"),
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="dismissal_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(anchor_state__in=["anchored", "moved", "orphaned"]),
                name="dismissal_anchor_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(anchor_reason__in=[r.value for r in AnchorReason]),
                name="dismissal_anchor_reason_valid",
            ),
            # The same passage is dismissed once per article (two editors pressing X at
            # once make one row). Orphans are out: their offsets index an older text.
            models.UniqueConstraint(
                fields=["article", "start", "end"],
                condition=~Q(anchor_state=AnchorState.ORPHANED),
                name="dismissal_one_per_span",
            ),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"dismissed: {quote}"

    @property
    def hides(self) -> bool:
        return self.anchor_state != self.Anchor.ORPHANED


class ImportRun(models.Model):
    """One bulk import, from the page or the command: who, when, which file, what came of
    it, row by row. Written as the import goes (each batch commits with its counts), so a
    run cut short says how far it got and which articles went in."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Door(models.TextChoices):
        WEB = "web", _("Import page")
        COMMAND = "command", _("import_articles command")

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_runs"
    )
    door = models.CharField(max_length=10, choices=Door, default=Door.WEB)
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    format = models.CharField(max_length=10)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    articles_created = models.PositiveIntegerField(default=0)
    claims_created = models.PositiveIntegerField(default=0)
    sources_created = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    # [{"line": 3, "kind": "error" | "skipped", "reason": "..."}], in line order.
    report = models.JSONField(default=list, blank=True)
    # Ids of the articles this run created (committed), in order.
    committed = models.JSONField(default=list, blank=True)
    # What stopped a failed run, in words.
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "done", "failed"]),
                name="import_run_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(door__in=["web", "command"]), name="import_run_door_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=["jsonl", "csv", "jsonld"]), name="import_run_format_valid"
            ),
        ]
        indexes = [models.Index(fields=["-started_at", "-id"], name="import_run_recent_idx")]

    def __str__(self) -> str:
        return f"{self.file_name or 'import'} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("annotations:import-run", args=[self.pk])


class JobKey(models.Model):
    """The record a background job is for ("capture:42"), and the job last enqueued for it
    (`annotations.jobs.enqueue_once`). Whoever enqueues for a key locks this row first, so
    two saves at once leave one waiting job, never two; whether that job still waits is read
    from the job's own row."""

    key = models.CharField(max_length=200, unique=True)
    job = models.ForeignKey(
        "django_tasks_database.DBTaskResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # results are pruned; the key stays
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class JobWorker(models.Model):
    """A worker process (`manage.py run_worker`) as it last said it was alive. A job still
    running on a worker silent for too long is taken for lost (`annotations.jobs`)."""

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.CharField(max_length=200)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host or '?'}"


SHA256_LENGTH = 64


def _sha256_column(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Exact(Length(field), SHA256_LENGTH), name=name)


class EvidenceState(models.TextChoices):
    PENDING = "pending", _("pending")
    CAPTURED = "captured", _("captured")
    CHANGED = "changed", _("changed")
    FAILED = "failed", _("failed")
    GONE = "gone", _("gone")


class Evidence(ChoiceDisplay):
    """A link the app keeps: the record of truth of its captures and re-checks
    (`annotations.services.evidence`). Either a claim's evidence link (one row per claim and
    link; the claim's current evidence is the one whose `url` is its `evidence_url`; a link
    the claim no longer has keeps its row and captures, unchecked), or the page an article
    was imported from (`article`; its current row is the one of the article's `url`).

    States: *pending* (no answer yet), *captured* (the page as first captured), *changed*
    (its extracted text differs from the first capture's), *failed* (the last fetch failed;
    `retrying` while a retry waits), *gone* (404/410 or no DNS, twice, at least 24 hours
    apart)."""

    State = EvidenceState

    claim = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    url = models.URLField(max_length=2000)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    state_since = models.DateTimeField(null=True, blank=True)  # when `state` last changed
    # The latest capture that answered 2xx: what "View text" and "Download WARC" offer.
    # DO_NOTHING: a capture is deleted only with its row (Capture.evidence cascades), in the
    # same transaction, and the foreign key is checked at commit. SET_NULL would first set
    # this to NULL on a captured row, which evidence_captured_has_capture refuses: deleting a
    # claim (or an article) whose link was captured failed.
    current = models.ForeignKey(
        "Capture", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    # The latest 2xx answer had no text to extract (a login wall, "post not found", a PDF).
    nothing_to_read = models.BooleanField(default=False)
    # Failures that say the page is gone (404, 410, no DNS) in a row, since the first one.
    failures = models.PositiveSmallIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    # The last failure as the fetcher phrased it ("The page answered 404 Not Found."), and
    # its code (fetching.FetchError.code, or "status"); cleared by an answer that succeeds.
    last_error = models.CharField(max_length=500, blank=True)
    last_error_code = models.CharField(max_length=30, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)  # of a failed answer
    retrying = models.BooleanField(default=False)  # a retry of the failed fetch waits
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # When the next fetch is due (a capture, then the re-checks); None: none is planned.
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["claim_id", "-created_at", "-id"]
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=EvidenceState.values), name="evidence_state_valid"
            ),
            models.UniqueConstraint(fields=["claim", "url"], name="evidence_one_per_claim_url"),
            models.UniqueConstraint(
                fields=["article", "url"],
                condition=Q(article__isnull=False),
                name="evidence_one_per_article_url",
            ),
            models.CheckConstraint(
                condition=Q(claim__isnull=False, article__isnull=True)
                | Q(claim__isnull=True, article__isnull=False),
                name="evidence_of_claim_or_article",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="evidence_url_http",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[EvidenceState.CAPTURED, EvidenceState.CHANGED])
                | Q(current__isnull=False),
                name="evidence_captured_has_capture",
            ),
            models.CheckConstraint(
                condition=Q(failures=0) | Q(first_failure_at__isnull=False),
                name="evidence_failures_since",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="evidence_due_idx",
            ),
            models.Index(fields=["state", "-updated_at"], name="evidence_state_idx"),
            models.Index(fields=["-state_since"], name="evidence_state_since_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.state})"

    @property
    def signature(self) -> str:
        """What the evidence line shows of the row's progress ("failed+": a retry waits)."""
        return f"{self.state}{'+' if self.retrying else ''}"

    @property
    def failure_short(self) -> str:
        """The last failure, shortly: the status ("404"), or the fetcher's sentence."""
        return str(self.last_status) if self.last_status else self.last_error


class CaptureBlob(models.Model):
    """Stored bytes (a capture's WARC file, gzipped records) keyed by their SHA-256: in the
    database, so one backup holds everything, and once however many captures share them."""

    sha256 = models.CharField(max_length=SHA256_LENGTH, primary_key=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "sha256"]
        constraints = [_sha256_column("sha256", "captureblob_sha256_length")]

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} bytes)"


class Capture(models.Model):
    """One fetch of an evidence link that got an answer worth keeping: the first, one whose
    status or extracted text differs from the previous capture's, never a repeat of it."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="captures")
    requested_url = models.URLField(max_length=2000)
    final_url = models.URLField(max_length=2000)  # after redirects
    http_status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=255, blank=True)
    captured_at = models.DateTimeField()
    payload_sha256 = models.CharField(max_length=SHA256_LENGTH)  # the body, as served
    payload_size = models.PositiveIntegerField()
    text = models.TextField(blank=True)  # the extracted main text ("" when none)
    text_sha256 = models.CharField(max_length=SHA256_LENGTH)
    warc = models.ForeignKey(CaptureBlob, on_delete=models.PROTECT, related_name="captures")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence_id", "captured_at", "id"]
        constraints = [
            _sha256_column("payload_sha256", "capture_payload_sha256_length"),
            _sha256_column("text_sha256", "capture_text_sha256_length"),
            models.CheckConstraint(
                condition=Q(http_status__gte=100, http_status__lte=599),
                name="capture_http_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["evidence", "-captured_at"], name="capture_latest_idx")]

    def __str__(self) -> str:
        return f"{self.final_url} {self.http_status} at {self.captured_at:%Y-%m-%d %H:%M}"

    @property
    def ok(self) -> bool:
        return 200 <= self.http_status < 300


class ApiToken(models.Model):
    """A personal token for the API (`Authorization: Bearer <token>`), acting with its
    user's role and nothing more. Shown once when made; kept as its SHA-256 only (a fast
    hash suits 256 random bits, and runs on every request), with its first characters so
    that people can tell their tokens apart. Revoked, it stays for the record."""

    PREFIX = "nca_"  # every token starts so: secret scanners and people can spot one

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, validators=[validate_line])
    key_sha256 = models.CharField(max_length=SHA256_LENGTH, unique=True)
    hint = models.CharField(max_length=12)  # the token's first characters, for its list
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            _sha256_column("key_sha256", "apitoken_key_sha256_length"),
            models.CheckConstraint(condition=~Q(name=""), name="apitoken_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class UrlImport(models.Model):
    """An article asked for by its link through the API (`POST /api/v1/articles/from-url/`),
    fetched by a background job and created as the person who asked. The record of truth
    for the job's resource (`/api/v1/jobs/<id>/`): the queue's own rows are pruned after
    JOBS_KEEP_DAYS and a retried job gets a new one, so their ids cannot be what a script
    polls. Only the person who asked (or an admin) reads it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Fetching")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="url_imports")
    url = models.CharField(max_length=2000, validators=[validate_line])
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why it failed, in the words of the web's URL import; or, when done, a note for the
    # person ("An article with this URL is already here.").
    error = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="url_import_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | Q(article__isnull=True),
                name="url_import_failed_has_no_article",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_status_display()})"


class WebhookEvent(models.TextChoices):
    CLAIM_CREATED = "claim.created", _("A claim was tagged (or brought back)")
    CLAIM_UPDATED = "claim.updated", _("A claim was changed")
    CLAIM_DELETED = "claim.deleted", _("A claim was deleted")
    SOURCE_REVIEWED = "source.reviewed", _("A source was reviewed")
    ARTICLE_CORRECTED = "article.corrected", _("An article was corrected")
    EVIDENCE_CHANGED = "evidence.changed", _("An evidence link's state changed")


class WebhookEndpoint(models.Model):
    """Where an admin sends the desk's events (`services.webhooks`): signed as Standard
    Webhooks sign them, with a secret the app keeps (it must read it to sign) but shows once
    and never logs or keeps in any history."""

    Event = WebhookEvent

    name = models.CharField(max_length=100, validators=[validate_line])
    url = models.URLField(max_length=2000, validators=[validate_line])
    events = models.JSONField(default=list)  # WebhookEvent values
    secret = models.CharField(max_length=100, editable=False)  # "whsec_" + base64
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="webhookendpoint_url_http",
            ),
            models.CheckConstraint(
                condition=Q(secret__startswith="whsec_"),  # noqa: S106 - a prefix, not a secret
                name="webhookendpoint_secret_set",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one endpoint: the record of truth of its delivery, made in the
    transaction of the change it tells of, one per event and endpoint (never sent twice)."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        DELIVERED = "delivered", _("delivered")
        RETRYING = "retrying", _("failed, retrying")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not sent: the endpoint was disabled")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40)  # the webhook-id header: the event's own id
    event = models.CharField(max_length=40, choices=WebhookEvent)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhookdelivery_once_per_endpoint"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "delivered", "retrying", "failed", "cancelled"]),
                name="webhookdelivery_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_log_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.state})"


class WebhookAttempt(models.Model):
    """One try at a delivery, for the delivery log: when, what the receiver answered."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class CueKind(models.TextChoices):
    LITERAL = cues.Kind.LITERAL, _("Literal phrase")
    PATTERN = cues.Kind.PATTERN, _("Pattern (regex module)")


class CueRole(models.TextChoices):
    REPORTING_VERB = cues.Role.REPORTING_VERB, _("Reporting verb (X said that Z)")
    HEDGE = cues.Role.HEDGE, _("Hedge (a claim with no named source)")
    ATTRIBUTION = (
        cues.Role.ATTRIBUTION,
        _("Attribution (names the source after it: according to X, Z)"),
    )


class CueLanguage(models.TextChoices):
    ANY = "any", _("Any language")
    EN = "en", _("English")
    UK = "uk", _("Ukrainian")
    RU = "ru", _("Russian")


class DeskCue(models.Model):
    """A desk's own attribution cue for suggested claims, beside the built-in ones of
    `cues.py`: a literal phrase, or a pattern for the `regex` module (run with a timeout).
    `cues.validate_cue` is its one validator (compiles, not catastrophic, not too long)."""

    Kind = CueKind
    Role = CueRole
    Language = CueLanguage

    phrase = models.CharField(
        max_length=cues.MAX_PHRASE,
        help_text=_(
            "A literal phrase is matched as whole words in any case. A pattern is for the "
            "regex module; it may name the groups “claim” and “source”."
        ),
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.LITERAL)
    role = models.CharField(max_length=20, choices=Role, default=Role.REPORTING_VERB)
    language = models.CharField(max_length=3, choices=Language, default=Language.ANY)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="desk_cues"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "role", "phrase"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in CueKind]), name="deskcue_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in CueRole]), name="deskcue_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=[lang.value for lang in CueLanguage]),
                name="deskcue_language_valid",
            ),
            models.CheckConstraint(condition=~Q(phrase=""), name="deskcue_phrase_not_empty"),
            models.UniqueConstraint(
                fields=["phrase", "kind", "role", "language"], name="deskcue_once"
            ),
        ]

    def __str__(self) -> str:
        return self.phrase

    def clean(self) -> None:
        super().clean()
        try:
            cues.validate_cue(self.phrase, self.kind)
        except ValidationError as error:
            raise ValidationError({"phrase": error.messages}) from None


class UserProfile(models.Model):
    """What a person chose for themselves, beside Django's own user: for now, the language
    of the interface. Blank: follow the browser (Accept-Language). A user without a profile
    row has chosen nothing; the row is made when they first choose."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Blank: the language the browser asks for."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=["", *(code for code, _name in settings.LANGUAGES)]),
                name="userprofile_language_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'browser'})"
