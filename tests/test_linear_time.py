"""Every regular expression applied to request input runs in linear time (issue 10).

Each pattern (and each function that applies a pattern written inline) gets adversarial
inputs of growing size: a prefix that starts a match, a long run of what its repetitions
accept, and a tail that makes it fail, or the start of a match repeated. The CPU time of 4× the
input must stay under 8× (linear ≈ 4×, quadratic ≈ 16×): ``growth.py`` says how that is
measured. The crawler pattern is also checked end to end, with the review's User-Agent.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from growth import MAX_RATIO, assert_linear, cpu_time, growth

from portal import text
from portal.admin import forms as admin_forms
from portal.attachments import detect, editing, files, links
from portal.attachments import views as attachment_views
from portal.config import DefaultConfig
from portal.editor import forms
from portal.review import diff
from portal.sanitize import (
    _CHAR_REF,
    _EMPTY_PARAGRAPH,
    _RELATIVE_URL_ATTRIBUTE,
    depth,
    filters,
    policy,
    urls,
)
from portal.search import folding
from portal.search import models as search_models
from portal.search import views as search_views
from portal.web import readers

CRAWLER = re.compile(DefaultConfig.CRAWLER_USER_AGENT_PATTERN, re.IGNORECASE)
# The review's pattern (issue 10): 1,000 / 2,000 / 4,000 spaces took 60 / 131 / 437 ms.
QUADRATIC_CRAWLER = re.compile(r"compatible;\s*[^;)]*bot\b", re.IGNORECASE)
AGENT = "Mozilla/5.0 (compatible;"
UPLOAD = policy.UPLOADS_PATH + "a" * 64 + "/"

Input = tuple  # (prefix, repeated unit, tail): str, or bytes for a bytes pattern


def applied(pattern: re.Pattern, how: str) -> Callable[[str], object]:
    """``pattern`` applied as the code applies it (finditer and findall read every match)."""
    if how == "finditer":
        return lambda subject: sum(1 for _ in pattern.finditer(subject))
    if how == "sub":
        return lambda subject: pattern.sub("", subject)
    return getattr(pattern, how)


# name: (what runs on the input, the inputs an attacker would send)
CASES: dict[str, tuple[Callable[[str], object], list[Input]]] = {
    "crawler": (
        applied(CRAWLER, "search"),
        [
            (AGENT, " ", "x"),  # the review's
            (AGENT, " ", ""),
            (AGENT, "b", "o"),
            (AGENT, "bo", "x"),
            ("", "compatible;", ""),
            ("", "compatible; ", "x"),
            ("", "(compatible; bo", ")"),
            ("", "abot", ""),
            ("", "bot", "b"),
        ],
    ),
    "image without alt": (
        applied(forms._IMAGE_WITHOUT_ALT, "search"),
        [
            ("", "<img ", ""),
            ("", "<img", ""),
            ("<img", " ", ""),
            ("<img", " alt", ""),
            ("<img", " a", "x"),
        ],
    ),
    "datetime-local": (
        applied(forms.DATETIME_LOCAL, "fullmatch"),
        [("", "1", ""), ("2026-", "1", ""), ("", "2026-01-01T", "")],
    ),
    "keyword separators": (
        applied(forms._KEYWORD_SEPARATORS, "split"),
        [("", " ", "a"), ("", ",", ""), ("", "a ", "")],
    ),
    "empty paragraph": (
        applied(_EMPTY_PARAGRAPH, "search"),
        [
            ("", "<p>", ""),
            ("<p>", " ", "x"),
            ("<p>", "&nbsp;", "<"),
            ("<p>", "\u3000", "</"),
            ("<p>", "<br>", "</p"),
            ("", "<p><br>", ""),
            ("", '<p class="', ""),
            ('<p class="', "a", '">'),
        ],
    ),
    "relative url": (
        applied(_RELATIVE_URL_ATTRIBUTE, "search"),
        [("", ' href="', ""), (' href="', "a", ""), ("", ' href="a', ""), ("", ' src="a+', "")],
    ),
    "character reference": (
        applied(_CHAR_REF, "sub"),
        [("", "&#", ""), ("", "&#1", ""), ("&#", "1", ";"), ("", "&#x", ""), ("&#x", "a", ";")],
    ),
    "entity at ampersand": (
        applied(filters._ENTITY_AT_AMPERSAND, "sub"),
        [("", "&", ""), ("", "&a", ""), ("&", "a", ";"), ("", "&#1", "")],
    ),
    "escape ampersands": (
        lambda subject: filters.escape_ampersands(subject, in_attribute=True),
        [("", "&", ""), ("", "&a", ""), ("", "&amp;", ""), ("&", "a", ";")],
    ),
    "canonical css": (
        filters._canonical_css,
        [("1.", "0", "1"), ("", "1.0", ""), ("", "1.", "")],
    ),
    "url normalized": (
        urls.normalize_url,
        [("", "&", ""), ("", " ", "a"), ("", "&#", ""), ("", "\t", "")],
    ),
    "url problem": (
        urls.url_problem,
        [("", "&", ""), ("", " ", "a"), ("", "a", ":"), ("", "\u00a0", "")],
    ),
    "url scheme": (applied(policy._SCHEME, "match"), [("", "a", ""), ("", "a+", "")]),
    "uploaded image": (
        applied(policy._UPLOADED_IMAGE, "fullmatch"),
        [(UPLOAD, "a", "/"), ("", "/attachments/", "")],
    ),
    "tag": (
        applied(depth._TAG, "finditer"),
        [
            ("", "<a", ""),
            ("<a", " ", ""),
            ("<a", ' b="', ""),
            ("<a", " b='", ""),
            ("", "<a b=", ""),
            ("<a b", "=", ""),
            ("", "<a/", ""),
            ("<a ", "b", ""),
            ("<a b=", " ", "x"),
        ],
    ),
    "comment": (
        applied(depth._COMMENT, "finditer"),
        [
            ("", "<!--", ""),
            ("", "<!-- -", ""),
            ("<!--", "--", ""),
            ("<!--", "-", "!"),
            ("", "<!--->", ""),
        ],
    ),
    "bogus comment": (
        applied(depth._BOGUS, "finditer"),
        [("", "<!", ""), ("", "<?", ""), ("", "</1", ""), ("<!", "a", "")],
    ),
    "not plain": (
        applied(depth._NOT_PLAIN, "search"),
        [("", "<", ""), ("", "<s", ""), ("", "<script", "")],
    ),
    "entity": (
        applied(text._ENTITY, "finditer"),
        [("", "&", ""), ("", "&#", ""), ("", "&a", ""), ("&", "a", "")],
    ),
    "xml illegal": (applied(text._XML_ILLEGAL, "sub"), [("", "\x01", ""), ("", "a", "")]),
    "markup": (applied(text._MARKUP, "search"), [("", "<", ""), ("", "< ", "")]),
    "user name": (applied(admin_forms.USERNAME, "fullmatch"), [("", "a", "!")]),
    "channel slug": (
        applied(admin_forms.SLUG, "fullmatch"),
        [("", "a-", ""), ("", "a", "-"), ("", "-a", ""), ("", "a1", "_")],
    ),
    "audit date": (applied(admin_forms.DATE, "fullmatch"), [("", "1", ""), ("", "1-", "")]),
    "search date": (applied(search_views._DATE, "fullmatch"), [("", "1", "")]),
    "search spaces": (
        applied(folding._SPACES, "sub"),
        [("", " ", ""), ("", "a ", ""), ("", " a", "")],
    ),
    "search separator": (search_models._ASCII_SEPARATOR, [("", "a", ""), ("", "中", "")]),
    "file name forbidden": (applied(files._FORBIDDEN, "sub"), [("", "<", ""), ("", "a", "")]),
    "file name plain": (
        applied(attachment_views._PLAIN_NAME, "fullmatch"),
        [("", "a", "中"), ("", " ", "中")],
    ),
    "file hash": (applied(attachment_views.SHA256, "fullmatch"), [("", "a", "")]),
    "upload url": (
        applied(links._UPLOAD_URL, "fullmatch"),
        [(UPLOAD, "a", "/"), (UPLOAD, "a", '"')],
    ),
    "body reference": (
        applied(links.BODY_REFERENCE, "findall"),
        [
            ("", ' src="' + policy.UPLOADS_PATH, ""),
            (' src="' + UPLOAD, "a", ""),
            ("", ' src="' + UPLOAD, ""),
        ],
    ),
    "body image": (
        applied(editing._IMAGE, "sub"),
        [("", "<img", ""), ("<img", " ", ""), ("", '<img a="', "")],
    ),
    "image attribute": (
        applied(editing._ATTRIBUTE, "findall"),
        [("", ' a="', ""), (" ", "a", ""), ("", " a", "="), (' a="', "b", "")],
    ),
    "file markup": (
        applied(detect.MARKUP, "search"),
        [(b"", b"<", b""), (b"<", b" ", b"x"), (b"", b"< ", b"scrip")],
    ),
    "file control": (applied(detect.CONTROL, "search"), [("", "a", "")]),
    "diff block end": (
        applied(diff._BLOCK_END, "split"),
        [("", "<br", ""), ("<br", " ", ""), ("", "</p", ""), ("", "<br ", "/")],
    ),
}
PARAMETERS = [
    pytest.param(operation, spec, id=f"{name}: {spec[0]!r:.20} + {spec[1]!r:.20} × n + {spec[2]!r}")
    for name, (operation, specs) in CASES.items()
    for spec in specs
]


def repeated(spec: Input) -> Callable[[int], str]:
    prefix, unit, tail = spec
    return lambda size: prefix + unit * max(1, size // len(unit)) + tail


@pytest.mark.parametrize(("operation", "spec"), PARAMETERS)
def test_every_pattern_on_request_input_is_linear(operation, spec):
    assert_linear(operation, repeated(spec), start=4_000, limit=4_000_000)


def test_the_check_fails_on_the_reviews_quadratic_crawler_pattern():
    # The measurement above catches what it must: the review's pattern, on the review's input.
    operation, make_input = applied(QUADRATIC_CRAWLER, "search"), repeated((AGENT, " ", "x"))
    measured = growth(operation, make_input, start=500, limit=400_000)
    assert measured.measured, str(measured)
    assert measured.ratio >= MAX_RATIO, str(measured)
    with pytest.raises(AssertionError, match=r"took \d+\.\d× the CPU time"):
        assert_linear(operation, make_input, start=500, limit=400_000)


def test_the_crawler_pattern_still_tells_robots_from_readers():
    assert CRAWLER.search("Mozilla/5.0 (compatible; Baiduspider/2.0)")
    assert CRAWLER.search("Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)")
    assert CRAWLER.search("Mozilla/5.0 (compatible;   SomeBot)")
    assert CRAWLER.search("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)")
    assert not CRAWLER.search("Mozilla/5.0 (compatible;" + " " * 8100 + "x")
    assert not CRAWLER.search("Mozilla/5.0 (Linux; Android 9; CUBOT X30) AppleWebKit/537.36")
    assert not CRAWLER.search("Mozilla/5.0 (iPhone) SogouMobileBrowser/5.30")


def test_the_reviews_user_agent_costs_no_more_than_a_short_one(client, make_post, load_post):
    post = make_post()
    url = f"/notices/{post.id}.html"

    def read_as(agent: str) -> None:
        assert client.get(url, headers={"User-Agent": agent}).status_code == 200

    # The whole request, in this thread's CPU time (the test client runs the app here).
    short = cpu_time(read_as, AGENT + " " * 1000 + "x")
    long = cpu_time(read_as, AGENT + " " * 8100 + "x")
    # 8.1× the spaces; the quadratic pattern made it 19× the time (60 → 1,161 ms).
    assert long / short < 2, f"{long / 1e6:.1f} ms against {short / 1e6:.1f} ms"
    assert load_post(post.id).view_count == 10  # a reader's browser, counted each time


def test_only_the_start_of_a_user_agent_is_read():
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": ""}
    robot_late = "Mozilla/5.0 " + "x" * readers.USER_AGENT_READ + " Googlebot/2.1"
    assert readers.counts_as_view({**environ, "HTTP_USER_AGENT": robot_late}, CRAWLER.pattern)
    robot = "Mozilla/5.0 (compatible; Googlebot/2.1)" + "x" * 10_000
    assert not readers.counts_as_view({**environ, "HTTP_USER_AGENT": robot}, CRAWLER.pattern)
