"""The API's docs page (Swagger UI, drf-spectacular's split view) works under our
Content-Security-Policy: its files from our origin, no inline style or script refused, and
every operation of the schema listed."""

import pytest
from django.conf import settings

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.only_on("sqlite")]


def test_the_docs_page_loads_under_the_csp(page, live_server, login, editor):
    assert settings.CONTENT_SECURITY_POLICY, "the SQLite pass runs with the CSP on"
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    login(page, editor)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock").first.wait_for()
    listed = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/claims/" in listed and "/api/v1/articles/{id}/" in listed
    assert page.locator(".opblock").count() >= 20
    assert refused == [] and outside == []
