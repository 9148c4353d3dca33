"""What the API answers with (read-only shapes; the forms check what comes in, see
`binding`). Times are ISO 8601, offsets are Unicode code points into the article's body."""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import similarity
from ..models import (
    Annotation,
    ApiToken,
    Article,
    SharedClaim,
    Source,
    SuggestionDismissal,
    UrlImport,
)


def paged(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """A cursor page of `serializer_class`, as the lists answer (`views.NewestFirst`): for
    the schema."""
    name = serializer_class.__name__.removesuffix("Serializer")
    fields = {
        "next": serializers.CharField(allow_null=True, help_text="The next page, or null."),
        "previous": serializers.CharField(allow_null=True),
        "results": serializer_class(many=True),
    }
    return type(f"Paged{name}", (serializers.Serializer,), fields)


class Shape(serializers.ModelSerializer):
    """A model as the API answers with it. A link field may be empty (no link), so it is
    text, not a `uri`, in the schema."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: serializers.CharField,
    }


class UserNameField(serializers.CharField):
    def to_representation(self, value):
        return value.get_username() if value is not None else None


class ArticleSerializer(Shape):
    url = serializers.CharField(read_only=True, help_text='The original\'s link, or "".')
    created_by = UserNameField(read_only=True, allow_null=True)
    assignee = UserNameField(read_only=True, allow_null=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id", "title", "url", "outlet", "author", "published_at", "language", "status",
            "assignee", "version", "created_by", "created_at", "updated_at", "web_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_web_url(self, article: Article) -> str:
        return article.get_absolute_url()


class ArticleDetailSerializer(ArticleSerializer):
    """An article with its text, which offsets index."""

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body"]
        read_only_fields = fields


class SourceBriefSerializer(Shape):
    class Meta:
        model = Source
        fields = ["id", "name", "kind", "reliability", "review_status"]
        read_only_fields = fields


class EvidenceSerializer(serializers.Serializer):
    """The claim's evidence link as the app keeps it (README, Evidence capture), as the CSV
    export's evidence columns say it: status none, pending, captured, failed, changed or
    gone; the SHA-256 of the page as served ("" before a capture); when it was captured."""

    status = serializers.ChoiceField(
        choices=["none", "pending", "captured", "failed", "changed", "gone"]
    )
    sha256 = serializers.CharField(allow_blank=True)
    captured_at = serializers.DateTimeField(allow_null=True)


class ClaimSerializer(Shape):
    article = serializers.PrimaryKeyRelatedField(read_only=True)
    shared_claim = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The shared claim it is an appearance of (`/api/v1/shared-claims/ID/`), or null.",
    )
    source = SourceBriefSerializer(read_only=True, allow_null=True)
    evidence_url = serializers.CharField(read_only=True, help_text='A link, or "".')
    evidence = serializers.SerializerMethodField()
    created_by = UserNameField(read_only=True, allow_null=True)
    updated_by = UserNameField(read_only=True, allow_null=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Annotation
        fields = [
            "id", "article", "start", "end", "quote", "label", "source", "credibility", "note",
            "public_summary", "evidence_url", "evidence", "anchor_state", "anchor_reason",
            "original_quote", "created_by", "updated_by", "created_at", "updated_at", "web_url",
            "shared_claim",
        ]  # fmt: skip
        read_only_fields = fields

    def get_web_url(self, claim: Annotation) -> str:
        return claim.get_absolute_url()

    @extend_schema_field(EvidenceSerializer)
    def get_evidence(self, claim: Annotation) -> dict:
        """From `selectors.with_evidence` (the views' queries carry it)."""
        return {
            "status": claim.evidence_status,
            "sha256": claim.evidence_sha256,
            "captured_at": claim.evidence_captured_at,
        }


class ClaimHistorySerializer(serializers.Serializer):
    """One saved state of a claim, newest first: what it was after each change."""

    history_id = serializers.IntegerField()
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
    label = serializers.CharField()
    source = serializers.IntegerField(allow_null=True)
    credibility = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    evidence_url = serializers.CharField(allow_blank=True)
    anchor_state = serializers.CharField()
    shared_claim = serializers.IntegerField(allow_null=True)


class SourceSerializer(Shape):
    """A source as the directory and its page show it: its names, grade, review, and how
    many claims cite it (`claims`, of which `disputed`)."""

    aliases = serializers.SerializerMethodField()
    reviewed_by = UserNameField(read_only=True, allow_null=True)
    created_by = UserNameField(read_only=True, allow_null=True)
    claims = serializers.IntegerField(source="n_claims", read_only=True)
    disputed = serializers.IntegerField(source="n_disputed", read_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = [
            "id", "name", "kind", "url", "description", "reliability", "review_status",
            "review_note", "reviewed_by", "reviewed_at", "created_by", "created_at",
            "updated_at", "aliases", "claims", "disputed", "web_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_aliases(self, source: Source) -> list[str]:
        return [a.name for a in source.aliases.all() if not a.is_primary]

    def get_web_url(self, source: Source) -> str:
        return source.get_absolute_url()


class SourceMergedSerializer(SourceSerializer):
    """The source kept by a merge, with how many claims became one claim in it."""

    merged_claims = serializers.IntegerField(read_only=True)

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "merged_claims"]
        read_only_fields = fields


class SimilarClaimSerializer(serializers.Serializer):
    """A claim of another article that likely makes the same assertion (`shared.Suggestion`),
    best first: how likely (`score`, 0 to 1), found by which signals (`why`: numbers, names,
    words; `reasons`: the same in words), and the shared claim it is in already, if any."""

    annotation_id = serializers.IntegerField(source="claim.pk")
    article_id = serializers.IntegerField(source="claim.article_id")
    score = serializers.FloatField(min_value=0, max_value=1)
    why = serializers.ListField(
        child=serializers.ChoiceField(choices=list(similarity.WHY)), source="match.why"
    )
    reasons = serializers.SerializerMethodField()
    shared_claim = serializers.IntegerField(source="claim.shared_claim_id", allow_null=True)

    def get_reasons(self, suggestion) -> list[str]:
        return [str(reason) for reason in suggestion.match.reasons]


class SuggestionSerializer(serializers.Serializer):
    """A suggested claim (`suggesting.Suggestion.as_json`): a passage the rules take for a
    claim, in reading order. Offsets are code points: body[start:end] == quote."""

    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    quote = serializers.CharField()
    label = serializers.ChoiceField(
        choices=["", "unattributed"],
        help_text="“unattributed” for a hedge that names no source; empty when a source is named "
        "(the verdict is the editor's).",
    )
    source_name = serializers.CharField(
        allow_blank=True, help_text="Who says it, as written; empty when unattributed."
    )


class SuggestionDismissalSerializer(Shape):
    """A suggested claim dismissed for everyone on an article, with who dismissed it. It
    follows its words through corrections; `anchor_state` "orphaned": its words changed, and
    it hides nothing any more."""

    dismissed_by = UserNameField(allow_null=True)

    class Meta:
        model = SuggestionDismissal
        fields = [
            "id",
            "article",
            "start",
            "end",
            "quote",
            "cue",
            "anchor_state",
            "dismissed_by",
            "dismissed_at",
        ]


class SharedClaimSerializer(Shape):
    """One assertion that appears in many articles: how many live appearances it has, and
    whether their verdicts disagree (verified in one, disputed in another)."""

    appearance_count = serializers.IntegerField(
        read_only=True, help_text="How many live claims are its appearances."
    )
    disagree = serializers.SerializerMethodField(
        help_text="Its appearances got different verdicts (verified in one, disputed in another)."
    )
    created_by = UserNameField(read_only=True, allow_null=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = SharedClaim
        fields = [
            "id", "title", "appearance_count", "disagree", "created_by", "created_at",
            "updated_at", "web_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_disagree(self, found: SharedClaim) -> bool:
        # `shared.shared_claims_with_counts` (the views' queries carry it), as Spread.disagree
        return found.verdict_count > 1

    def get_web_url(self, found: SharedClaim) -> str:
        return found.get_absolute_url()


class AppearanceSerializer(Shape):
    """A claim as an appearance of a shared claim: where (the article, its outlet and
    date), what it got (label, grade, source) and the passage."""

    article = serializers.PrimaryKeyRelatedField(read_only=True)
    article_title = serializers.CharField(source="article.title", read_only=True)
    outlet = serializers.CharField(source="article.outlet", read_only=True)
    published_at = serializers.DateTimeField(
        source="article.published_at", read_only=True, allow_null=True
    )
    source = SourceBriefSerializer(read_only=True, allow_null=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Annotation
        fields = [
            "id", "article", "article_title", "outlet", "published_at", "label", "credibility",
            "source", "quote", "web_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_web_url(self, claim: Annotation) -> str:
        return claim.get_absolute_url()


class SharedClaimDetailSerializer(SharedClaimSerializer):
    """A shared claim with its live appearances in the order they were published (an
    article's date, else when the claim was tagged), the first of them, and how many got
    each label (`shared.spread`, set as `spread` by the view)."""

    appearances = serializers.SerializerMethodField()
    first_appearance = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()

    class Meta(SharedClaimSerializer.Meta):
        fields = [*SharedClaimSerializer.Meta.fields, "first_appearance", "labels", "appearances"]
        read_only_fields = fields

    @extend_schema_field(AppearanceSerializer(many=True))
    def get_appearances(self, found: SharedClaim) -> list:
        return AppearanceSerializer(found.spread.appearances, many=True).data

    def get_first_appearance(self, found: SharedClaim) -> int | None:
        first = found.spread.first
        return first.pk if first else None

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}
    )
    def get_labels(self, found: SharedClaim) -> dict[str, int]:
        return found.spread.labels


class UrlImportSerializer(Shape):
    """A link import's job: `status` is pending, running, done or failed; when done,
    `article` is the article (made, or already here: then `note` says so); when failed,
    `error` says why, in the words of the web's URL import."""

    article = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    error = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = UrlImport
        fields = ["id", "status", "url", "article", "error", "note", "created_at", "finished_at"]
        read_only_fields = fields

    def to_representation(self, instance: UrlImport) -> dict:
        data = super().to_representation(instance)
        data["error"] = data["error"] or None  # null until it failed
        return data


class ApiTokenSerializer(Shape):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "hint", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem: every refusal of the API."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
