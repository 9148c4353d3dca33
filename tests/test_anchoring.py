import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import anchoring, names
from annotations.anchoring import Span


def test_normalise_body_nfc_and_newlines():
    raw = "\ufeffTitle\r\nLine two\rLine three\u0000 e\u0301"
    assert anchoring.normalise_body(raw) == "Title\nLine two\nLine three é"


def test_fold_name_clashes_cyrillic_case_and_width():
    assert names.fold_name("СБУ") == names.fold_name("сбу")
    assert names.fold_name(" SBU ") == names.fold_name("ｓｂｕ")
    assert names.fold_name("Security  Service") == "security service"


@pytest.mark.parametrize(
    ("start", "end", "quote", "message"),
    [
        (-1, 3, "abc", "negative"),
        (3, 3, "", "empty"),
        (5, 2, "x", "empty"),
        (0, 999, "x", "past the end"),
        (0, 3, "xyz", "does not match"),
    ],
)
def test_check_span_refuses(start, end, quote, message):
    with pytest.raises(anchoring.AnchorError, match=message):
        anchoring.check_span("abcdefgh", start, end, quote)


def test_check_span_counts_code_points_not_utf16():
    body = "🇺🇦 Київ: 31 drones"
    start = body.index("Київ")
    # The flag is two code points (four UTF-16 units): Python offsets are code points.
    assert start == 3
    anchoring.check_span(body, start, start + 4, "Київ")


def test_context_is_up_to_32_code_points():
    body = "x" * 40 + "QUOTE" + "y" * 40
    prefix, suffix = anchoring.context(body, 40, 45)
    assert prefix == "x" * 32 and suffix == "y" * 32
    assert anchoring.context("ab", 0, 1) == ("", "b")


def test_match_quote_prefers_matching_context_then_nearest():
    body = "Kyiv says 5 drones. Moscow says 5 drones. Kyiv says 5 drones again."
    second_kyiv = body.rindex("5 drones")
    (best, *_) = anchoring.match_quote(body, "5 drones", prefix="Kyiv says ", suffix=" again")
    assert best.start == second_kyiv and best.fit == 1.0
    (best, *_) = anchoring.match_quote(body, "5 drones", hint=30)
    assert best.start == body.index("5 drones", 20)
    assert anchoring.match_quote(body, "absent") == []


def test_match_quote_searches_only_within_the_given_ranges():
    body = "31 drones. 31 drones. 31 drones."
    found = anchoring.match_quote(body, "31 drones", within=[(9, 21)])
    assert [m.start for m in found] == [11]


def test_approx_errors_is_the_best_substring_edit_distance():
    assert anchoring.approx_errors("drones", "31 drones hit") == 0
    assert anchoring.approx_errors("drones", "31 dornes hit") == 2
    assert anchoring.approx_errors("abc", "") == 3
    assert anchoring.approx_errors("Київ", "у Києві") == 1


def test_split_blocks_lines_and_gaps():
    body = "Title\n\nPara one.\n   \n• bullet\n"
    blocks = anchoring.split_blocks(body)
    assert [body[s:e] for s, e in blocks] == ["Title", "Para one.", "• bullet"]


def test_segments_overlap_nest_touch():
    body = "0123456789"
    blocks = [(0, 10)]
    spans = [Span(1, 0, 5), Span(2, 3, 8), Span(3, 3, 4), Span(4, 8, 10)]
    (segments,) = anchoring.segment_blocks(blocks, spans)
    assert [(s.start, s.end, s.keys) for s in segments] == [
        (0, 3, (1,)),
        (3, 4, (1, 2, 3)),
        (4, 5, (1, 2)),
        (5, 8, (2,)),
        (8, 10, (4,)),
    ]
    assert "".join(body[s.start : s.end] for s in segments) == body


def test_segments_cross_blocks_and_skip_gaps():
    body = "ab\n\ncd"
    blocks = anchoring.split_blocks(body)
    result = anchoring.segment_blocks(blocks, [Span(7, 1, 5)])
    assert [(s.start, s.end, s.keys) for s in result[0]] == [(0, 1, ()), (1, 2, (7,))]
    assert [(s.start, s.end, s.keys) for s in result[1]] == [(4, 5, (7,)), (5, 6, ())]


@st.composite
def body_and_spans(draw):
    body = draw(st.text(alphabet=st.sampled_from(list("ab \n€🇺🇦йё“”—")), min_size=1, max_size=80))
    n = len(body)
    spans = []
    for key in range(draw(st.integers(0, 12))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        spans.append(Span(key, start, end))
    return body, spans


@given(body_and_spans())
def test_segments_tile_blocks_and_cover_exactly_their_spans(case):
    body, spans = case
    blocks = anchoring.split_blocks(body)
    result = anchoring.segment_blocks(blocks, spans)
    for (b_start, b_end), segments in zip(blocks, result, strict=True):
        # Segments tile the block exactly, in order, with no empty segment.
        assert segments[0].start == b_start and segments[-1].end == b_end
        for left, right in zip(segments, segments[1:], strict=False):
            assert left.end == right.start
        for segment in segments:
            assert segment.start < segment.end
            expected = {s.key for s in spans if s.start <= segment.start and segment.end <= s.end}
            touching = {s.key for s in spans if s.start < segment.end and segment.start < s.end}
            # A segment is covered by a span entirely or not at all.
            assert set(segment.keys) == expected == touching
            # Outer spans first: starts ascend, and ends descend among equal starts.
            ordered = [next(s for s in spans if s.key == k) for k in segment.keys]
            assert ordered == sorted(ordered, key=lambda s: (s.start, -s.end, s.key))


@given(body_and_spans())
def test_rendered_body_text_is_the_body(case):
    from html.parser import HTMLParser

    from annotations.rendering import render_body

    body, spans = case

    class Claim:
        def __init__(self, span):
            self.pk, self.start, self.end = span.key, span.start, span.end
            self.label, self.anchor_state = "verified", "anchored"

    html = render_body(body, [Claim(s) for s in spans])
    texts = []

    class Collect(HTMLParser):
        def handle_data(self, data):
            texts.append(data)

    parser = Collect(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    assert "".join(texts) == body


@given(st.text(min_size=1, max_size=60), st.data())
def test_check_span_accepts_exactly_the_slice(body, data):
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    anchoring.check_span(body, start, end, body[start:end])
    with pytest.raises(anchoring.AnchorError):
        anchoring.check_span(body, start, end, body[start:end] + "x")


def test_blocks_touching_is_split_blocks_cut_to_the_span():
    """The save's redraw finds its blocks from the span's line on; they are exactly the
    blocks of the whole cut that share text with the span, for any text and any span
    (blank and whitespace-only lines, a flag's surrogate pairs, spans past either end)."""
    import random

    from annotations.anchoring import blocks_touching, split_blocks

    rng = random.Random(11)
    pieces = ["a", "Kyiv", " ", "\n", "\n\n", "\u00a0", "\t", "🇺🇦", "\r\n", "  \n"]
    for _ in range(20_000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        start, end = rng.randint(-2, len(body) + 2), rng.randint(-2, len(body) + 3)
        expected = [b for b in split_blocks(body) if b[0] < end and start < b[1]]
        assert blocks_touching(body, start, end) == expected, (body, start, end)
