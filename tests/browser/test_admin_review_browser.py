"""A reviewer approves a source from the admin's review queue: the grade is asked first."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Source

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")


def test_a_reviewer_approves_from_the_admin_queue_at_the_grade_chosen(
    page, live_server, login, editor, reviewer
):
    source = services.source_create(name="Odesa port authority", user=editor, kind="government")
    services.source_create(name="Rybar", user=editor, kind="social_media")
    login(page, reviewer)
    page.goto(f"{live_server.url}/admin/annotations/pendingsource/")
    page.locator(f"input[name=_selected_action][value='{source.pk}']").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Go").click()

    expect(page.locator("h1")).to_have_text("Approve sources: at which reliability?")
    expect(page.locator(".approve-sources-list")).to_contain_text("Odesa port authority")
    expect(page.locator(".approve-sources-list")).not_to_contain_text("Rybar")
    grades = page.locator("input[name=reliability]")
    expect(grades).to_have_count(6)
    for i in range(6):
        expect(grades.nth(i)).not_to_be_checked()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "admin-approve-grade-page.png"), full_page=True)
    assert Source.objects.get(pk=source.pk).review_status == "pending"

    page.get_by_label("B: usually reliable").check()
    page.get_by_label("Review note").fill("Official port body; checked its site")
    page.get_by_role("button", name="Approve at this grade").click()

    expect(page.locator(".messagelist")).to_contain_text("1 source approved at reliability B.")
    expect(page.locator("#result_list")).not_to_contain_text("Odesa port authority")
    source.refresh_from_db()
    assert (source.review_status, source.reliability, source.reviewed_by) == (
        "approved",
        "B",
        reviewer,
    )
    assert source.review_note == "Official port body; checked its site"
