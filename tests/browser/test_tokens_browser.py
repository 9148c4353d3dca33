"""The API tokens page on a phone, by keyboard: made by its name field and Enter, the new
token focused and selected whole for copying, revoked through the confirmation, and no
page wider than the screen or with a serious axe violation."""

import pytest
from playwright.sync_api import expect

from annotations import services
from tests.browser.test_axe_browser import _assert_clean, _blocking

# Layout only: run once, in the SQLite pass (see tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.layout]

WIDTH = 390


def _look(page, name: str, problems: list[str]) -> None:
    page.screenshot(path=f"/tmp/shots/{name}.png", full_page=True)
    if (seen := page.evaluate("document.documentElement.scrollWidth")) > WIDTH:
        problems.append(f"{name} is {seen} px wide")
    problems += _blocking(page, name)


def test_a_token_made_copied_and_revoked_on_a_phone(browser, live_server, login, editor):
    old, _key = services.api_token_create(user=editor, name="Nightly export of disputed claims")
    services.api_token_revoke(token=old, user=editor)
    services.api_token_create(user=editor, name="Спільна таблиця редакції")
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, has_touch=True, is_mobile=True
    )
    page = login(context.new_page(), editor)
    problems: list[str] = []
    page.goto(f"{live_server.url}/account/tokens/")
    _look(page, "tokens-list", problems)

    name = page.get_by_label("Name")
    name.fill("CMS push")
    name.press("Enter")
    field = page.get_by_label("Token", exact=True)
    expect(field).to_be_focused()
    key = field.input_value()
    assert key.startswith("nca_")
    selected = page.evaluate(
        "[document.activeElement.selectionStart, document.activeElement.selectionEnd]"
    )
    assert selected == [0, len(key)]  # Ctrl+C copies the whole token
    _look(page, "tokens-created", problems)

    page.get_by_role("link", name="I have copied it").click()
    page.get_by_role("link", name="Revoke “CMS push”").click()
    expect(page.get_by_role("button", name="Revoke")).to_be_focused()
    _look(page, "tokens-revoke", problems)
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("“CMS push” is revoked")
    assert services.api_token_find(key) is None
    context.close()
    _assert_clean(problems)
