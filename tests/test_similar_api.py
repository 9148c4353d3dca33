"""Similar claims through the API (issue 22): a claim's suggestions, `shared_claim` on every
claim (and in the webhook's claim), linking and unlinking on the claim, the shared claims as
a resource, merging them; the W3C container reads the shared claim's body past. Who may call
each is tests/test_api_matrix.py's; bad input is tests/test_api_bad_input.py's."""

import json
from datetime import UTC, datetime

import pytest

from annotations import services, shared
from annotations.models import Annotation, SharedClaim, WebhookDelivery
from tests.factories import BODY, claim_by
from tests.test_api_matrix import snapshot
from tests.test_w3c_protocol import Api

pytestmark = pytest.mark.django_db

QUOTE = "31 of 38 drones were shot down"
CLAIMS = "/api/v1/claims/"
SHARED = "/api/v1/shared-claims/"


@pytest.fixture
def as_editor(client, editor) -> Api:
    return Api(client, editor)


@pytest.fixture
def desk(editor) -> dict[str, Annotation]:
    """The same claim in four outlets, and a claim like no other."""

    def claim(outlet: str, day: int, label: str, quote: str = QUOTE) -> Annotation:
        article = services.article_create(
            user=editor,
            title=f"Strike, by {outlet}",
            body=BODY + "\n" + outlet,
            outlet=outlet,
            published_at=datetime(2026, 11, day, tzinfo=UTC),
        )
        return claim_by(editor, article, quote, label=label)

    return {
        "wire": claim("Wire", 3, "verified"),
        "kyiv": claim("Kyiv Post", 1, "verified"),
        "moscow": claim("Moscow Daily", 2, "disputed"),
        "repost": claim("Repost", 4, "disputed"),
        "lone": claim("Lone", 5, "unattributed", "Residents had reportedly been evacuated"),
    }


def _ok(response, status: int = 200):
    assert response.status_code == status, response.content[:500]
    return response.json() if response.content else None


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    return response.json()


def _link(api: Api, claim: Annotation, **body):
    return api("POST", f"{CLAIMS}{claim.pk}/link/", body, content_type="application/json")


# --- Suggestions ---------------------------------------------------------------------------------


def test_similar_lists_the_suggestions_as_the_command_does(as_editor, editor, desk):
    services.shared_claim_link(claim=desk["moscow"], user=editor, other=desk["repost"])
    rows = _ok(as_editor.get(f"{CLAIMS}{desk['wire'].pk}/similar/"))
    expected = shared.suggestions_for_claim(Annotation.objects.get(pk=desk["wire"].pk))
    assert [(r["annotation_id"], r["article_id"], r["score"]) for r in rows] == [
        (s.claim.pk, s.claim.article_id, s.score) for s in expected
    ]
    # Other articles only, one per shared claim: Kyiv Post, and one of the linked pair.
    by_id = {r["annotation_id"]: r for r in rows}
    assert desk["kyiv"].pk in by_id and len(rows) == 2
    (linked,) = [r for r in rows if r["shared_claim"] is not None]
    assert linked["annotation_id"] in (desk["moscow"].pk, desk["repost"].pk)
    assert linked["shared_claim"] == Annotation.objects.get(pk=desk["moscow"].pk).shared_claim_id
    assert "numbers" in linked["why"] and "the same figures" in linked["reasons"]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert len(_ok(as_editor.get(f"{CLAIMS}{desk['wire'].pk}/similar/?limit=1"))) == 1
    assert _ok(as_editor.get(f"{CLAIMS}{desk['lone'].pk}/similar/")) == []


# --- Linking, on the claim -----------------------------------------------------------------------


def test_linking_two_claims_makes_a_shared_claim_and_every_claim_says_so(as_editor, editor, desk):
    wire, kyiv = desk["wire"], desk["kyiv"]
    body = _ok(_link(as_editor, wire, other=kyiv.pk))
    found = SharedClaim.objects.get()
    assert body["id"] == found.pk and body["appearance_count"] == 2 and not body["disagree"]
    assert [a["id"] for a in body["appearances"]] == [kyiv.pk, wire.pk]  # by publication
    assert body["first_appearance"] == kyiv.pk and body["labels"] == {"verified": 2}
    assert body["appearances"][0]["outlet"] == "Kyiv Post"
    assert body["web_url"] == found.get_absolute_url()
    # The claims carry it, in the API and in their history.
    assert _ok(as_editor.get(f"{CLAIMS}{wire.pk}/"))["shared_claim"] == found.pk
    assert _ok(as_editor.get(f"{CLAIMS}{desk['lone'].pk}/"))["shared_claim"] is None
    listed = _ok(as_editor.get(f"{CLAIMS}?article={kyiv.article_id}"))["results"]
    assert [c["shared_claim"] for c in listed] == [found.pk]
    newest = _ok(as_editor.get(f"{CLAIMS}{wire.pk}/history/"))[0]
    assert newest["shared_claim"] == found.pk and newest["by"] == editor.username
    assert newest["reason"] == f"linked to shared claim #{found.pk}"
    # Again: nothing changes.
    before = snapshot()
    assert _ok(_link(as_editor, kyiv, other=wire.pk))["id"] == found.pk
    assert snapshot() == before
    # To a shared claim: the disputed one joins, and they disagree.
    body = _ok(_link(as_editor, desk["moscow"], shared_claim=found.pk))
    assert body["appearance_count"] == 3 and body["disagree"] is True
    assert body["labels"] == {"verified": 2, "disputed": 1}


def test_two_claims_in_two_shared_claims_need_a_merge_409(as_editor, editor, desk):
    services.shared_claim_link(claim=desk["wire"], user=editor, other=desk["kyiv"])
    services.shared_claim_link(claim=desk["moscow"], user=editor, other=desk["repost"])
    before = snapshot()
    problem = _problem(_link(as_editor, desk["wire"], other=desk["moscow"].pk), 409, "merge_needed")
    assert "merge" in problem["detail"]
    assert snapshot() == before and SharedClaim.objects.count() == 2


def test_unlinking_takes_the_claim_out_and_keeps_the_shared_claim(as_editor, editor, desk):
    found = services.shared_claim_link(claim=desk["wire"], user=editor, other=desk["kyiv"])
    services.shared_claim_link(claim=desk["moscow"], user=editor, shared_claim=found)
    assert _ok(as_editor("DELETE", f"{CLAIMS}{desk['wire'].pk}/link/"), 204) is None
    assert Annotation.objects.get(pk=desk["wire"].pk).shared_claim_id is None
    assert _ok(as_editor.get(f"{SHARED}{found.pk}/"))["appearance_count"] == 2
    before = snapshot()  # a claim in none: nothing to do
    assert as_editor("DELETE", f"{CLAIMS}{desk['wire'].pk}/link/").status_code == 204
    assert snapshot() == before


def test_linking_sends_the_claims_webhook_with_its_shared_claim(as_editor, admin_user, desk):
    services.webhook_endpoint_create(
        user=admin_user, name="CMS", url="https://cms.example.org/hooks", events=["claim.updated"]
    )
    _ok(_link(as_editor, desk["wire"], other=desk["kyiv"].pk))
    found = SharedClaim.objects.get()
    payloads = [d.payload for d in WebhookDelivery.objects.order_by("pk")]
    data = [p.get("data", p) for p in payloads]
    assert {d["id"] for d in data} == {desk["wire"].pk, desk["kyiv"].pk}
    assert {d["shared_claim"] for d in data} == {found.pk}


# --- Shared claims -------------------------------------------------------------------------------


def test_the_list_pages_newest_first_with_counts(as_editor, editor, desk):
    first = services.shared_claim_link(claim=desk["wire"], user=editor, other=desk["kyiv"])
    second = services.shared_claim_link(claim=desk["moscow"], user=editor, other=desk["kyiv"])
    assert second == first  # kyiv was in `first`: moscow joins it
    other = services.shared_claim_link(claim=desk["repost"], user=editor, other=desk["lone"])
    page = _ok(as_editor.get(f"{SHARED}?page_size=1"))
    assert [r["id"] for r in page["results"]] == [other.pk] and page["next"]
    (row,) = _ok(as_editor.get(page["next"]))["results"]
    assert (row["id"], row["appearance_count"], row["disagree"]) == (first.pk, 3, True)
    assert row["created_by"] == editor.username


def test_a_reviewer_merges_two_shared_claims(client, editor, reviewer, desk):
    keep = services.shared_claim_link(claim=desk["wire"], user=editor, other=desk["kyiv"])
    gone = services.shared_claim_link(claim=desk["moscow"], user=editor, other=desk["repost"])
    url = f"{SHARED}{keep.pk}/merge/"
    body = {"other": gone.pk}
    before = snapshot()
    refused = Api(client, editor)("POST", url, body, content_type="application/json")
    _problem(refused, 403, "forbidden")
    assert snapshot() == before
    as_reviewer = Api(client, reviewer)
    merged = _ok(as_reviewer("POST", url, body, content_type="application/json"))
    assert merged["appearance_count"] == 4 and merged["disagree"] is True
    _problem(as_reviewer.get(f"{SHARED}{gone.pk}/"), 404, "not_found")
    again = as_reviewer("POST", url, body, content_type="application/json")
    assert _problem(again, 422, "invalid")["errors"]["other"]


# --- The W3C container: the shared claim's body is the server's --------------------------------


def test_the_container_names_the_shared_claim_and_a_put_keeps_the_link(as_editor, editor, desk):
    found = services.shared_claim_link(claim=desk["wire"], user=editor, other=desk["kyiv"])
    url = f"/api/v1/annotations/{desk['wire'].pk}/"
    got = as_editor.get(url)
    document = _ok(got)
    expected = {
        "type": "SpecificResource",
        "purpose": "identifying",
        "source": f"http://testserver/shared-claims/{found.pk}/",
    }
    assert expected in document["body"]
    document["body"][0]["value"] = "disputed"
    put = as_editor("PUT", url, document, **{"If-Match": got["ETag"]})
    assert _ok(put)["body"][0]["value"] == "disputed"
    assert Annotation.objects.get(pk=desk["wire"].pk).shared_claim_id == found.pk
    # Posted as it is, on another article: a new claim, in no shared claim.
    Annotation.objects.filter(pk=desk["lone"].pk).delete()
    lone_article = desk["lone"].article
    document.pop("id")
    document["body"][0]["value"] = "verified"
    document["target"]["source"] = f"http://testserver/articles/{lone_article.pk}/"
    document["target"]["selector"] = [
        {"type": "TextQuoteSelector", "exact": QUOTE},
        {"type": "TextPositionSelector", "start": BODY.index(QUOTE), "end": BODY.index(QUOTE) + 30},
    ]
    posted = _ok(as_editor("POST", "/api/v1/annotations/", document), 201)
    made = Annotation.objects.get(pk=posted["id"].rstrip("/").rsplit("/", 1)[1])
    assert made.shared_claim_id is None and made.article_id == lone_article.pk
    assert not [b for b in posted["body"] if b.get("type") == "SpecificResource"]
    assert json.dumps(posted).count("shared-claims") == 0
