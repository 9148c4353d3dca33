"""Playwright against `live_server`, in Debian's Chromium (never a downloaded browser)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

# One copy of the Chromium path, its flags and the viewport, shared with `make bench` (P5).
from bench.browser import VIEWPORT, launch_args


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, **launch_args()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture(scope="session", autouse=True)
def _dictionaries_loaded():
    """The similar-claims matcher's dictionaries, loaded before any page is served: the
    live server's in-memory SQLite cannot wait for a lock, and a first save that loads
    them holds its transaction for seconds."""
    from annotations import similarity

    similarity.warm_up()


@pytest.fixture
def login(live_server):
    """Sign a user in to a Playwright page by handing it a session cookie (axes-safe)."""

    def _login(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return _login
