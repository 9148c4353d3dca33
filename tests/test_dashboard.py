"""The dashboard's numbers on a known data set, with a constant number of queries."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations import dashboard
from annotations.models import Annotation, Article
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def _claim(article, quote, label, source=None, when=None, user=None):
    claim = AnnotationFactory(
        article=article, quote_text=quote, label=label, source=source, created_by=user
    )
    if when:
        Annotation.objects.filter(pk=claim.pk).update(created_at=when)
    return claim


@pytest.fixture
def desk():
    today = timezone.localdate()
    noon = datetime.combine(today, datetime.min.time(), tzinfo=UTC).replace(hour=12)
    ana, bo = UserFactory(username="ana"), UserFactory(username="bo")
    sbu = SourceFactory(name="SBU", reliability="B")
    mod = SourceFactory(name="MoD", reliability="D")
    wire = ArticleFactory(outlet="Wire", body="a b c d e f g h")
    post = ArticleFactory(outlet="Post", body="p q r s t u v w")
    _claim(wire, "a", "verified", sbu, noon, ana)
    _claim(wire, "b", "disputed", sbu, noon, ana)
    _claim(wire, "c", "disputed", mod, noon - timedelta(days=1), bo)
    _claim(wire, "d", "unattributed", None, noon - timedelta(days=1), bo)
    _claim(post, "p", "disputed", mod, noon - timedelta(days=3), ana)
    _claim(post, "q", "verified", mod, noon - timedelta(days=40), ana)  # outside 30 days
    return {"today": today, "sbu": sbu, "mod": mod, "ana": ana, "bo": bo}


def test_aggregations_on_a_known_data_set(desk):
    filters = dashboard.default_filters(desk["today"])
    over_time = dashboard.claims_over_time(filters)
    assert over_time["total"] == 5
    by_day = {b.period: b.counts for b in over_time["bars"]}
    assert by_day[desk["today"]] == {"verified": 1, "disputed": 1, "unattributed": 0}
    assert by_day[desk["today"] - timedelta(days=1)] == {
        "verified": 0,
        "disputed": 1,
        "unattributed": 1,
    }
    sources = {row["source"].name: row for row in dashboard.top_sources(filters)}
    assert (sources["MoD"]["n"], sources["MoD"]["disputed_share"]) == (2, 100)
    assert (sources["SBU"]["n"], sources["SBU"]["disputed_share"]) == (2, 50)
    outlets = {row["outlet"]: row for row in dashboard.outlets(filters)}
    assert (outlets["Wire"]["n"], outlets["Wire"]["disputed"], outlets["Wire"]["unattributed"]) == (
        4,
        50,
        25,
    )
    assert (outlets["Post"]["n"], outlets["Post"]["disputed"]) == (1, 100)
    today = {row["editor"]: row["n"] for row in dashboard.activity_today(filters)}
    assert today == {"ana": 2}
    only_post = dashboard.Filters(filters.date_from, filters.date_to, outlet="Post")
    assert dashboard.claims_over_time(only_post)["total"] == 1
    weekly = dashboard.Filters(desk["today"] - timedelta(days=90), desk["today"])
    assert dashboard.claims_over_time(weekly)["weekly"] is True
    assert dashboard.claims_over_time(weekly)["total"] == 6


def test_every_bar_links_to_the_claims_behind_it(editor_client, desk):
    html = editor_client.get(reverse("annotations:dashboard")).content.decode()
    day = desk["today"].isoformat()
    assert f"?date_from={day}&amp;date_to={day}&amp;label=verified" in html
    assert f"source={desk['sbu'].pk}" in html
    assert "outlet=Wire&amp;label=disputed" in html
    assert f"editor={desk['ana'].pk}" in html
    # and the claims list honours those filters
    listed = editor_client.get(
        reverse("annotations:claim-list"), {"source": desk["sbu"].pk}
    ).content.decode()
    assert "2 claims" in listed


def test_dashboard_query_count_is_constant(editor_client, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(reverse("annotations:dashboard")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(20):
        article = ArticleFactory(outlet=f"Outlet {i}", body=f"x{i} y z")
        _claim(article, f"x{i}", "disputed", SourceFactory(name=f"S{i}"), user=desk["bo"])
    assert queries() == few


def test_dashboard_is_the_landing_page_and_filters_apply(client, editor, desk):
    client.force_login(editor)
    response = client.get(
        "/", {"outlet": "Post", "date_from": "2000-01-01", "date_to": date.today().isoformat()}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Where the reporting stands" in html
    assert "2 tagged" in html  # Post has two claims over all time
    bad = client.get("/", {"date_from": "not a date"})
    assert bad.status_code == 200


def test_a_range_past_today_or_too_wide_is_shortened_and_says_so(client, editor, desk):
    """1900-2100 used to become 2094-2100: an empty chart and no word why."""
    client.force_login(editor)
    html = client.get("/", {"date_from": "1900-01-01", "date_to": "2100-01-01"}).content.decode()
    assert "The range was shortened to" in html
    assert f"{date.today():%-d %b %Y}" in html
    assert "0 tagged" not in html  # the desk's claims of the last five years are shown
    plain = client.get("/").content.decode()
    assert "The range was shortened" not in plain


def test_the_still_in_progress_link_lists_what_the_card_lists(editor_client, desk):
    html = editor_client.get(reverse("annotations:dashboard")).content.decode()
    assert "?status=open" in html
    listed = editor_client.get(reverse("annotations:article-list"), {"status": "open"})
    titles = [a.title for a in Article.objects.exclude(status="done")]
    assert all(t in listed.content.decode() for t in titles)


def test_articles_with_no_outlet_are_one_row_whose_links_list_them(editor_client, desk):
    """They were left out of the outlet chart; now "(no outlet)", and its links filter on an
    empty outlet, so that the row's numbers and the lists behind them agree."""
    today = timezone.localdate()
    noon = datetime.combine(today, datetime.min.time(), tzinfo=UTC).replace(hour=12)
    bare = ArticleFactory(outlet="", title="Wire copy without a masthead", body="k l m n")
    other_bare = ArticleFactory(outlet="", title="Pasted from a channel", body="o p")
    _claim(bare, "k", "disputed", None, noon)
    _claim(bare, "l", "disputed", None, noon)
    _claim(bare, "m", "unattributed", None, noon)
    _claim(other_bare, "o", "verified", None, noon)

    rows = dashboard.outlets(dashboard.default_filters(today))
    row = next(r for r in rows if r["outlet"] == "")
    assert (str(row["name"]), row["n"], row["disputed"], row["unattributed"]) == (
        "(no outlet)",
        4,
        50,
        25,
    )
    assert {r["outlet"] for r in rows} == {"", "Wire", "Post"}

    html = editor_client.get(reverse("annotations:dashboard")).content.decode()
    assert "(no outlet)" in html
    assert f'href="{reverse("annotations:article-list")}?no_outlet=1"' in html
    assert "no_outlet=1&amp;label=disputed" in html

    claims = editor_client.get(f"{reverse('annotations:claim-list')}?{row['query_disputed']}")
    assert claims.status_code == 200
    assert claims.context["page"].paginator.count == 2  # 50 % of the row's 4
    unattributed = editor_client.get(
        f"{reverse('annotations:claim-list')}?{row['query_unattributed']}"
    )
    assert unattributed.context["page"].paginator.count == 1
    articles = editor_client.get(f"{reverse('annotations:article-list')}?{row['query_articles']}")
    assert {a.title for a in articles.context["page"]} == {bare.title, other_bare.title}
    # The lists show that filter, checked, so that it stays when another one is chosen.
    assert '<input type="checkbox" name="no_outlet" id="id_no_outlet" checked>' in (
        articles.content.decode()
    )
    assert 'name="no_outlet" id="id_no_outlet" checked' in claims.content.decode()


def _evidence(claim_or_article, state, days_ago, url="https://example.org/post"):
    from annotations.models import Capture, CaptureBlob, Evidence

    is_claim = isinstance(claim_or_article, Annotation)
    owner = {"claim": claim_or_article} if is_claim else {"article": claim_or_article}
    if is_claim:
        Annotation.objects.filter(pk=claim_or_article.pk).update(evidence_url=url)
    else:
        Article.objects.filter(pk=claim_or_article.pk).update(url=url)
    evidence = Evidence.objects.create(url=url, **owner)
    blob, _ = CaptureBlob.objects.get_or_create(sha256="b" * 64, defaults={"data": b"", "size": 0})
    capture = Capture.objects.create(
        evidence=evidence, requested_url=url, final_url=url, http_status=200,
        captured_at=timezone.now(), payload_sha256="a" * 64, payload_size=1, text="t",
        text_sha256="c" * 64, warc=blob,
    )  # fmt: skip
    since = timezone.now() - timedelta(days=days_ago)
    Evidence.objects.filter(pk=evidence.pk).update(state=state, current=capture, state_since=since)
    return evidence


def test_the_dashboard_lists_evidence_gone_or_changed_this_week(editor_client):
    text = "The bridge was hit. Residents were evacuated. Power was restored. Rockets fell."
    kyiv = ArticleFactory(title="Kyiv strikes", outlet="Kyiv Independent", body=text)
    lviv = ArticleFactory(title="Lviv report", outlet="Ukrainska Pravda", body=text)
    gone = _evidence(_claim(kyiv, "The bridge was hit", "disputed"), "gone", 2)
    page = _evidence(lviv, "changed", 1, url="https://up.example/lviv")
    _evidence(_claim(kyiv, "Residents were evacuated", "verified"), "changed", 9)  # last week
    _evidence(_claim(lviv, "Power was restored", "verified"), "captured", 1)  # fine
    dead = ArticleFactory(title="Deleted one", outlet="Kyiv Independent", body=text)
    _evidence(_claim(dead, "Rockets fell", "disputed"), "gone", 1)
    Article.objects.filter(pk=dead.pk).update(deleted_at=timezone.now())

    news = dashboard.evidence_this_week(dashboard.default_filters())
    assert [ev.pk for ev in news.rows] == [page.pk, gone.pk]
    assert news.total == 2
    only_kyiv = dashboard.Filters(date(2020, 1, 1), date(2020, 1, 2), outlet="Kyiv Independent")
    assert [ev.pk for ev in dashboard.evidence_this_week(only_kyiv).rows] == [gone.pk]

    html = editor_client.get(reverse("annotations:dashboard")).content.decode()
    section = html.split('id="evidence-news"')[1].split("</section>")[0]
    assert "“The bridge was hit”" in section and "Lviv report" in section
    assert "Residents were evacuated" not in section and "Rockets fell" not in section
    assert "Power was restored" not in section


def test_the_evidence_news_takes_two_queries_however_many(django_assert_num_queries):
    article = ArticleFactory(body=" ".join(f"Claim number {i}." for i in range(12)))
    for i in range(12):
        _evidence(
            _claim(article, f"Claim number {i}.", "disputed"), "gone", 1, url=f"https://e.org/{i}"
        )
    with django_assert_num_queries(2):
        news = dashboard.evidence_this_week(dashboard.default_filters())
        assert len(news.rows) == 10 and news.total == 12
        assert all(ev.claim.article.title and ev.current.captured_at for ev in news.rows)
