"""An annotation sent to the W3C Web Annotation Protocol's container (`w3c`), read into the
fields of a claim: in the shape our JSON-LD export writes (exporters/jsonld.py), read by the
bulk importer's own reader of one annotation (`importers.bulk.claim_from_annotation`), then
checked member by member, so that nothing sent is dropped without a word. One body is the
server's, read back as it came and never taken, as `created` is: the shared claim the claim
is an appearance of (`exporters.is_shared_claim_body`), which is linked through its own
endpoint (`claims/<id>/link/`), by whoever may link.

Every refusal is a problem whose `errors` name where in the annotation the fault is
(`body.assessing`, `target.selector.TextQuoteSelector.exact`, …). Wrong JSON types are 400,
wrong values 422, as everywhere in the API. The values themselves are checked by the web's
claim forms and the services, by the view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import text
from ..exporters import CREDIBILITY_PREFIX, is_shared_claim_body
from ..exporters.jsonld import ANNO_CONTEXT
from ..forms import ClaimDetailsForm
from ..importers.bulk import RecordProblem, claim_from_annotation
from ..models import Article
from .problems import NON_FIELD, Problem, invalid

# What our export writes on an annotation, and what the protocol adds (`canonical`, `via`).
# `created`, `modified` and `creator` are the server's: read back as they came, never taken.
MEMBERS = {
    "@context",
    "id",
    "type",
    "motivation",
    "created",
    "modified",
    "creator",
    "body",
    "target",
    "canonical",
    "via",
}
# A claim's bodies, by purpose (see exporters.jsonld.web_annotation).
PURPOSES = ("assessing", "identifying", "commenting", "describing", "classifying", "linking")

SELECTOR = "target.selector."
# Where each field of the web's claim form is in an annotation: the keys of `errors`.
WHERE = {
    "start": SELECTOR + "TextPositionSelector.start",
    "end": SELECTOR + "TextPositionSelector.end",
    "quote": SELECTOR + "TextQuoteSelector.exact",
    "label": "body.assessing",
    "source": "body.identifying",
    "new_source_name": "body.identifying",
    "credibility": "body.classifying",
    "note": "body.commenting",
    "public_summary": "body.describing",
    "evidence_url": "body.linking",
}
# The claim's field each body holds (a TextualBody's `value`; the evidence's `source`).
FIELD_OF = {
    "assessing": "label",
    "identifying": "source",
    "commenting": "note",
    "describing": "public_summary",
    "linking": "evidence_url",
}
IRI_MAX = 2000
# The claim's details, beside its span, as the web's claim form cleans them.
DETAILS = ClaimDetailsForm.DETAILS  # what the claim services take as they are


@dataclass
class Incoming:
    """An annotation as a claim's fields (the offsets None when it had no
    TextPositionSelector; `canonical`, `via` and `id` None when not sent)."""

    article: Article
    start: int | None
    end: int | None
    quote: str
    prefix: str
    suffix: str
    label: str
    source: str
    credibility: str
    note: str
    public_summary: str
    evidence_url: str
    canonical: str | None
    via: str | None
    id: str | None

    def form_data(self) -> dict[str, str]:
        """The claim's details as the web's claim form reads them (text)."""
        return {name: getattr(self, name) for name in DETAILS}


def placed(errors: dict[str, list[str]]) -> Problem:
    """Form or service errors by field, as a 422 problem by place in the annotation."""
    return invalid({WHERE.get(name, name): messages for name, messages in errors.items()})


def _send_text(name: str) -> Problem:
    return invalid({name: [_("Send text (a JSON string).")]}, status_code=400)


def _strings(value) -> list | None:
    """A JSON-LD value of one string or a list of strings, as a list; None otherwise."""
    values = value if isinstance(value, list) else [value]
    return values if all(isinstance(v, str) for v in values) else None


def _listed(value) -> list:
    """A JSON-LD value of one item or a list of them (checked as objects by
    `claim_from_annotation`), as a list; none for null or ""."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def _iri(data: dict, name: str) -> str | None:
    """`canonical`, `via` or `id`: an absolute IRI, or None when not sent."""
    if name not in data:
        return None
    value = data[name]
    if not isinstance(value, str):
        if name == "id":  # an id is an IRI or nothing: a number is no id
            raise invalid({"id": [_("An annotation's id is its IRI: send text.")]})
        raise _send_text(name)
    try:
        text.validate_iri(value or "-")
    except ValidationError as exc:
        raise invalid({name: list(exc.messages)}) from exc
    if len(value) > IRI_MAX:
        message = _("An IRI here has at most %(n)d characters.")
        raise invalid({name: [message % {"n": IRI_MAX}]})
    return value


def _check_members(data: dict) -> None:
    unknown = sorted(str(name) for name in data if name not in MEMBERS)
    if unknown:
        message = _(
            "This member is not kept here: a claim keeps what the desk's JSON-LD export "
            "writes (see README, W3C Web Annotation Protocol)."
        )
        raise invalid({name: [message] for name in unknown})
    for name in ("type", "motivation"):
        if name in data and _strings(data[name]) is None:
            raise invalid({name: [_("Send text, or a list of texts.")]}, status_code=400)
    if "Annotation" not in (_strings(data.get("type")) or []):
        raise invalid({"type": [_("This is not an annotation: its type must be “Annotation”.")]})
    context = data.get("@context", ANNO_CONTEXT)
    if ANNO_CONTEXT not in (context if isinstance(context, list) else [context]):
        message = _("The @context must be the Web Annotation context, %(iri)s.")
        raise invalid({"@context": [message % {"iri": ANNO_CONTEXT}]})
    if not set(_strings(data.get("motivation", "assessing"))) <= {"assessing"}:
        message = _("A claim assesses a passage: its motivation is “assessing” (or leave it out).")
        raise invalid({"motivation": [message]})


def _bodies(data: dict) -> dict[str, dict]:
    """The bodies by purpose: each one of ours, once, with its value as text."""
    found: dict[str, dict] = {}
    for body in _listed(data.get("body")):
        if is_shared_claim_body(body):
            continue  # the server's, as `created` is: linked through claims/<id>/link/
        purpose = body.get("purpose")
        if purpose not in PURPOSES:
            message = _(
                "A body with purpose “%(purpose)s” is not kept here. A claim's bodies are its "
                "verdict (assessing), source (identifying), note (commenting), public summary "
                "(describing), credibility (classifying) and evidence link (linking)."
            )
            shown = purpose[:80] if isinstance(purpose, str) else _("none")
            raise invalid({"body": [message % {"purpose": shown}]})
        if purpose in found:
            message = _("Send one body with purpose “%(purpose)s”.")
            raise invalid({"body": [message % {"purpose": purpose}]})
        found[purpose] = body
        field = FIELD_OF.get(purpose)
        member = "source" if purpose == "linking" else "value"
        if field is not None and member not in body:
            message = _("Send the body's “%(member)s”.")
            raise invalid({WHERE[field]: [message % {"member": member}]})
        if field is not None and not isinstance(body[member], str):
            raise _send_text(WHERE[field])
    return found


def _credibility(bodies: dict[str, dict]) -> str:
    body = bodies.get("classifying")
    if body is None:
        return ""
    value = body.get("value")
    grade = value.removeprefix(CREDIBILITY_PREFIX) if isinstance(value, str) else ""
    if not (isinstance(value, str) and value.startswith(CREDIBILITY_PREFIX) and grade):
        message = _("Send the credibility as “%(prefix)s1” to “%(prefix)s6”.")
        raise invalid({WHERE["credibility"]: [message % {"prefix": CREDIBILITY_PREFIX}]})
    return grade


def _quote_selector(data: dict) -> dict:
    """The target's TextQuoteSelector, its members checked as text."""
    target = data["target"][0] if isinstance(data["target"], list) else data["target"]
    found = {}
    for selector in _listed(target.get("selector")):
        if selector.get("type") == "TextQuoteSelector":
            found = selector
    if "exact" not in found:
        message = _(
            "Send the passage as a TextQuoteSelector with its “exact” text (and a "
            "TextPositionSelector with its offsets, in code points)."
        )
        raise invalid({WHERE["quote"]: [message]})
    for name in ("exact", "prefix", "suffix"):
        if not isinstance(found.get(name, ""), str):
            raise _send_text(SELECTOR + "TextQuoteSelector." + name)
    return found


def _offset(claim: dict, name: str) -> int | None:
    value = claim.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise invalid({WHERE[name]: [_("Send a whole number.")]}, status_code=400)
    return value


def read(data, *, site_url: str) -> Incoming:
    """The claim an annotation stands for, on one of our live articles, or a problem."""
    if not isinstance(data, dict):
        raise Problem(400, "malformed", _("Send one annotation: a JSON object."))
    _check_members(data)
    canonical, via, given_id = (_iri(data, name) for name in ("canonical", "via", "id"))
    article = _target_article(data, site_url=site_url)
    try:
        _source, claim = claim_from_annotation(data)
    except RecordProblem as exc:
        raise invalid({NON_FIELD: [str(exc)]}) from exc
    bodies = _bodies(data)
    if "assessing" not in bodies:
        message = _(
            "Send the verdict as a body with purpose “assessing” and value verified, "
            "disputed or unattributed."
        )
        raise invalid({WHERE["label"]: [message]})
    selector = _quote_selector(data)
    return Incoming(
        article=article,
        start=_offset(claim, "start"),
        end=_offset(claim, "end"),
        quote=selector["exact"],
        prefix=selector.get("prefix", ""),
        suffix=selector.get("suffix", ""),
        label=claim["label"],
        source=" ".join(claim.get("source", "").split()),
        credibility=_credibility(bodies),
        note=claim.get("note", ""),
        public_summary=claim.get("public_summary", ""),
        evidence_url=claim.get("evidence_url", "").strip(),
        canonical=canonical,
        via=via,
        id=given_id,
    )


# --- The target: one of our articles --------------------------------------------------------


def _not_ours(iri: str) -> Problem:
    message = _(
        "“%(iri)s” is not one of this desk's articles (or it was deleted). A claim is a "
        "passage of an article here: target the article's link as the JSON-LD export "
        "writes it (its original link, or its address on this site)."
    )
    shown = iri if len(iri) <= 200 else iri[:199] + "…"
    return Problem(
        422,
        "unknown_target",
        message % {"iri": shown},
        errors={"target": [message % {"iri": shown}]},
    )


def article_for(iri: str, *, site_url: str) -> Article | None:
    """The live article an IRI names: its address here (`<site>/articles/<id>/`, as the
    export writes an article without a link of its own) or its original link."""
    iri = iri.strip()
    if not iri or len(iri) > 2000 or text.problem(iri):
        return None
    articles = Article.objects.alive().only("id", "body", "version", "url")
    ours = re.fullmatch(re.escape(site_url) + r"/articles/([1-9]\d{0,17})/?", iri)
    if ours:
        found = articles.filter(pk=int(ours.group(1))).first()
        if found is not None:
            return found
    return articles.filter(url=iri).first()


def _target_article(data: dict, *, site_url: str) -> Article:
    target = data.get("target")
    if isinstance(target, list):
        if len(target) != 1:
            message = _("Send one target: the passage of one of our articles.")
            raise invalid({"target": [message]})
        target = target[0]
    if isinstance(target, str):
        if article_for(target, site_url=site_url) is None:
            raise _not_ours(target)
        message = _(
            "A claim is a passage, not a whole article: send the target as a "
            "SpecificResource with this link as its source and a TextQuoteSelector."
        )
        raise invalid({"target": [message]})
    if not isinstance(target, dict) or not isinstance(target.get("source"), str):
        message = _("Send the target as an object whose “source” is the article's link.")
        raise invalid({"target": [message]})
    article = article_for(target["source"], site_url=site_url)
    if article is None:
        raise _not_ours(target["source"])
    return article
