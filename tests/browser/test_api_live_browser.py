"""The API as a script uses it, over real HTTP against the live server (urllib, as a cron
job would), and what it made as a person sees it: the claim highlighted on the article's
page, in one page load."""

from __future__ import annotations

import json
import urllib.request

import pytest

from annotations import services

pytestmark = pytest.mark.django_db(transaction=True)

BODY = (
    "Night attack on Odesa\n"
    "\n"
    "The Air Force said 31 of 38 drones were shot down over the region.\n"
    "Residents had reportedly been evacuated from two buildings."
)
QUOTE = "31 of 38 drones were shot down"


def _call(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_a_claim_made_through_the_api_is_on_the_article_page(page, live_server, login, editor):
    _row, token = services.api_token_create(user=editor, name="CMS")
    api = f"{live_server.url}/api/v1"

    status, article = _call(f"{api}/articles/", token, {"title": "Odesa", "body": BODY})
    assert status == 201 and article["version"] == 1
    start = article["body"].index(QUOTE)
    status, claim = _call(
        f"{api}/claims/",
        token,
        {
            "article": article["id"],
            "start": start,
            "end": start + len(QUOTE),
            "quote": QUOTE,
            "label": "disputed",
            "new_source_name": "Air Force of Ukraine",
        },
    )
    assert status == 201 and claim["source"]["name"] == "Air Force of Ukraine"

    login(page, editor)
    page.goto(f"{live_server.url}{article['web_url']}")
    mark = page.locator(f'[data-article-body] mark[data-annotation-id="{claim["id"]}"]')
    assert mark.inner_text() == QUOTE
    item = page.locator(f'li[data-annotation-id="{claim["id"]}"]')
    assert "Air Force of Ukraine" in item.inner_text()
    page.screenshot(path="/tmp/shots/api_claim_on_the_page.png")
