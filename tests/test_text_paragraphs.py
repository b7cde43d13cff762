"""Issue 14: a body without markup is paragraphs (portal.text.paragraphs), and the editor form
stores it so, without script (the public page never runs paragraphs together)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import article_body, edit_url, form_fields, post_id_of, write_post

from portal import messages
from portal.sanitize import clean
from portal.text import paragraphs

PLAIN_TEXT = (Path(__file__).parent / "fixtures" / "clipboard" / "word.txt").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("第一段文字。\n\n第二段文字。", "<p>第一段文字。</p>\n<p>第二段文字。</p>"),
        # Word's and WPS's plain text: one paragraph a line, CRLF, no blank line between.
        ("第一段。\r\n第二段。\r\n", "<p>第一段。</p>\n<p>第二段。</p>"),
        ("第一段。\r第二段。", "<p>第一段。</p>\n<p>第二段。</p>"),  # old Mac line ends
        ("第一段。\u2029第二段。\x0b第三段。", "<p>第一段。</p>\n<p>第二段。</p>\n<p>第三段。</p>"),
        ("  \t前后的空格去掉 \t\n\n\n   \n\t\n最后一段", "<p>前后的空格去掉</p>\n<p>最后一段</p>"),
        # Full-width spaces are how people indent Chinese by hand: they stay.
        ("\u3000\u3000手工缩进的段落。", "<p>\u3000\u3000手工缩进的段落。</p>"),
        ("一段", "<p>一段</p>"),
        ("", ""),
        (" \n\t\r\n ", ""),
        # Text that only looks like markup to a person is still text.
        ("1 < 2，且 3 > 2\nAT&T 与 &amp;", "<p>1 < 2，且 3 > 2</p>\n<p>AT&T 与 &amp;</p>"),
    ],
)
def test_a_body_without_markup_becomes_one_paragraph_a_line(body, expected):
    assert paragraphs(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "<p>第一段。</p>\n\n<p>第二段。</p>",
        "第一行<br>第二行\n第三行",  # any tag: the author said where the breaks are
        "<!-- 注释 -->\n正文",
        "</p>正文\n下一行",
        "<!DOCTYPE html>\n正文",
        "<?xml version='1.0'?>\n正文",
        "a<b\nc",  # the HTML parser reads "<b" as a tag, so this is markup
    ],
)
def test_a_body_with_markup_is_left_as_it_is(body):
    assert paragraphs(body) == body


def test_words_plain_text_of_the_fixture_notice_is_one_paragraph_a_line():
    lines = [line.strip() for line in PLAIN_TEXT.splitlines() if line.strip()]
    html = paragraphs(PLAIN_TEXT)
    assert html.count("<p>") == len(lines) == 18  # 22 lines, 4 of them blank
    cleaned = clean(html).html
    assert "<p>各区司法局，市直各单位：</p>" in cleaned
    assert "<p>2026年11月20日</p>" in cleaned


@given(st.text(alphabet=st.characters(blacklist_characters="<"), max_size=200))
def test_every_line_with_text_is_one_paragraph_and_no_text_is_lost(text):
    html = paragraphs(text)
    inside = re.findall(r"<p>(.*?)</p>", html, re.S)
    assert len(inside) == sum(1 for line in text.splitlines() if line.strip())
    assert not any(line.splitlines()[1:] for line in inside), "a line break inside a paragraph"
    assert "".join("".join(inside).split()) == "".join(text.split())
    assert paragraphs(html) == html  # markup now (or empty): stable


def test_plain_text_sent_by_the_form_is_stored_and_shown_as_paragraphs(
    client, editor_client, make_channel
):
    notices = make_channel("notices")
    saved = write_post(editor_client, notices, "publish", body="第一段文字。\n\n第二段文字。")
    assert saved.status_code == 302
    # The form shows it again as typed (the raw body), the public page as paragraphs.
    form = editor_client.get(edit_url(saved))
    assert form_fields(form)["body"] == "第一段文字。\n\n第二段文字。"
    page = client.get(f"/notices/{post_id_of(edit_url(saved))}.html")
    assert article_body(page).strip() == "<p>第一段文字。</p>\n<p>第二段文字。</p>"


def test_a_blank_body_is_still_refused(editor_client, make_channel):
    response = write_post(editor_client, make_channel("notices"), "publish", body=" \r\n\u3000\n")
    assert response.status_code == 400
    assert messages.BODY_EMPTY in response.get_data(as_text=True)
