"""The one keyboard map (annotations/keymap.py) and what the article page says aloud."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from annotations import keymap, labels, rendering, services
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

ANNOTATE_JS = Path(settings.BASE_DIR, "static/js/annotate.js").read_text(encoding="utf-8")


def test_readme_shows_the_keymap_as_generated():
    readme = Path(settings.BASE_DIR, "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- keymap:start -->\n(.*?)<!-- keymap:end -->", readme, re.S)
    assert found, "README has no keymap section"
    assert found.group(1) == keymap.markdown()


def test_every_action_of_the_map_is_one_the_script_handles():
    actions = {b["action"] for b in keymap.client()["bindings"]}
    assert actions == {"move", "tag", "open", "clear", "help", "save", "close", "pick", "suggest"}
    for action in actions - {"move"}:
        assert f'binding.action === "{action}"' in ANNOTATE_JS, action
    assert 'binding.action === "move"' in ANNOTATE_JS


def test_each_label_key_tags_in_the_text_and_saves_in_the_form(fourth_label):
    bindings = keymap.client()["bindings"]
    for label in labels.LABELS:
        tags = [b for b in bindings if b["action"] == "tag" and b["code"] == label.code]
        assert {b["scope"] for b in tags} == {keymap.TEXT, keymap.FORM}
        assert all(b["arg"] == [label.key] for b in tags)
    assert "M" in keymap.markdown() and "Misleading" in keymap.markdown()
    assert "V, D, U or M" in keymap.client()["messages"]["no_selection"]


def test_no_two_bindings_of_a_scope_share_a_key():
    seen = set()
    for b in keymap.client()["bindings"]:
        key = (b["scope"], b["code"] or b["key"], b["ctrl"])
        assert key not in seen, key
        seen.add(key)


@pytest.mark.django_db
def test_the_article_page_hands_the_map_to_the_script_and_the_help(editor_client):
    article = ArticleFactory()
    html = editor_client.get(article.get_absolute_url()).content.decode()
    found = re.search(r'data-keymap="([^"]*)"', html)
    from html import unescape

    assert json.loads(unescape(found.group(1))) == json.loads(json.dumps(keymap.client()))
    assert html.count('<tr><th scope="row"><kbd>') == len(keymap.shortcuts())
    assert 'tabindex="0" role="document"' in html
    assert 'role="dialog" aria-labelledby="popover-title"' in html
    assert '<ol id="claim-list" class="claim-list" aria-labelledby="claims-heading"' in html


@pytest.mark.django_db
def test_each_highlight_is_described_by_its_list_items_label_and_source(editor_client):
    article = ArticleFactory()
    body = article.body
    sourced = AnnotationFactory(
        article=article, start=0, end=10, quote=body[:10], label="disputed", source=SourceFactory()
    )
    bare = AnnotationFactory(
        article=article, start=12, end=20, quote=body[12:20], label="unattributed", source=None
    )
    page = editor_client.get(article.get_absolute_url()).content.decode()
    for claim, ids in (
        (sourced, [f"claim-{sourced.pk}-label", f"claim-{sourced.pk}-source"]),
        (bare, [f"claim-{bare.pk}-label"]),
    ):
        assert f'data-annotation-id="{claim.pk}" aria-describedby="{" ".join(ids)}"' in page
        for id_ in ids:  # each id names an element of the list item
            assert page.count(f'id="{id_}"') == 1, id_
    # The body's text is still exactly the body: the description adds no text.
    html = rendering.render_body(body, [sourced, bare])
    assert re.sub(r"<[^>]+>", "", str(html)).replace("&amp;", "&") == body


@pytest.mark.django_db
def test_a_save_and_a_delete_say_what_happened(editor_client, editor):
    article = ArticleFactory()
    source = SourceFactory(name="Security Service of Ukraine")
    quote = article.body[:12]
    response = editor_client.post(
        reverse("annotations:claim-create", args=[article.pk]),
        {
            "start": 0,
            "end": 12,
            "quote": quote,
            "label": "disputed",
            "source": source.pk,
            "version": article.version,
        },
        headers={"HX-Request": "true"},
    )
    trigger = json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]
    assert trigger["message"] == "Claim saved: disputed, Security Service of Ukraine"
    response = editor_client.post(
        reverse("annotations:claim-delete", args=[trigger["id"]]), headers={"HX-Request": "true"}
    )
    trigger = json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]
    assert trigger["message"] == "Claim deleted: disputed, Security Service of Ukraine"


@pytest.mark.django_db
def test_live_updates_say_only_what_others_changed(editor_client, editor, other_editor):
    from annotations import selectors

    article = ArticleFactory()
    stamp = selectors.article_stamp(article.pk)

    def make(user, start):
        quote = article.body[start : start + 5]
        services.annotation_create(
            article=article, user=user, start=start, end=start + 5, quote=quote, label="disputed"
        )

    def poll():
        return editor_client.get(
            reverse("annotations:article-changes", args=[article.pk]),
            {"since": stamp, "version": article.version},
            headers={"HX-Request": "true"},
        )

    make(editor, 0)
    detail = json.loads(poll()["HX-Trigger-After-Settle"])["live-updated"]
    assert "message" not in detail  # one's own save is not news
    make(other_editor, 20)
    make(other_editor, 40)
    detail = json.loads(poll()["HX-Trigger-After-Settle"])["live-updated"]
    assert detail["message"] == "Other editors changed 2 claims."
