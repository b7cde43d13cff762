"""The pure parts of the search: folding, tokens, FTS5 token spelling and marking (no app),
and the PostgreSQL token function against the Python rule it restates."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from portal.search import folding, highlight
from portal.search.models import fts_match, fts_text, fts_token

# Text like the site's, and everything that makes folding hard: full-width forms, case, spaces
# of every kind, control and format characters, combining marks, compatibility characters.
ALPHABET = st.sampled_from(
    list("民法典宪法普法中华人民共和国，。、《》“”")
    + list("abcXYZ019%_\\\"'*-")
    + list("ＡＢＣａｂｃ０１９％＿　")  # full-width letters, digits, signs, the ideographic space
    + [" ", "\n", "\t", "\u00a0", "\x00", "\x1f", "\x85", "\u200b", "\u00ad", "\ufeff"]
    + ["e\u0301", "\u00e9", "ß", "ǅ", "ﬁ", "㈱", "①", "¨", "İ", "Σ", "ς"]
)
TEXT = st.lists(ALPHABET, max_size=40).map("".join)


@given(TEXT)
def test_fold_and_fold_mapped_agree(text):
    folded, origins = folding.fold_mapped(text)
    assert folding.fold(text) == folded
    source = folding.nfc(text)
    assert len(origins) == len(folded)
    assert origins == sorted(origins)
    for char, origin in zip(folded, origins, strict=True):
        assert 0 <= origin < len(source)
        assert char == " " or char in folding.fold_mapped(source[origin])[0]


@given(TEXT)
def test_folded_text_has_single_inner_spaces_and_no_controls(text):
    folded = folding.fold(text)
    assert folded == folded.strip()
    assert "  " not in folded
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u200b\u00ad\ufeff]", folded)


@given(TEXT, st.data())
def test_the_index_never_misses_a_substring(text, data):
    folded = folding.fold(text)
    chunks = [chunk for chunk in folded.split(" ") if chunk]
    if not chunks:
        return
    chunk = data.draw(st.sampled_from(chunks))
    start = data.draw(st.integers(0, len(chunk) - 1))
    term = chunk[start : data.draw(st.integers(start + 1, len(chunk)))]
    assert folding.term_tokens(term) <= folding.tokens(folded)


@given(TEXT, st.lists(ALPHABET, min_size=1, max_size=2).map("".join))
def test_a_term_of_one_or_two_characters_is_found_exactly_by_its_token(text, typed):
    folded = folding.fold(text)
    for term in folding.terms(typed):
        if folding.exact_by_tokens(term):
            assert (folding.term_tokens(term) <= folding.tokens(folded)) == (term in folded)


def test_folding_examples():
    assert folding.fold("ＡＢＣ１２３") == "abc123"
    assert folding.fold("JAVA 安全") == "java 安全"
    assert folding.fold("中华人民\n  共和国") == "中华人民共和国"  # no break inside Chinese
    assert folding.fold("2024 年") == "2024 年"  # a space beside a digit stays
    assert folding.fold("民\u200b法") == "民法"
    assert folding.fold("a\x00b") == "a b"
    assert folding.fold("Straße") == "strasse"


def test_terms_split_at_any_space_fold_and_come_once():
    assert folding.terms("宪法　ＡＢＣ abc\t宪法 ") == ["宪法", "abc"]
    assert folding.terms(" \u3000\n") == []
    assert folding.terms("宪\x00法") == ["宪法"]  # a control character is a space: none in Chinese
    assert folding.terms("a\x00b") == ["a", "b"]


def test_term_tokens():
    assert folding.term_tokens("法") == {"法"}
    assert folding.term_tokens("普法") == {"普法"}
    assert folding.term_tokens("民法典") == {"民法", "法典"}
    assert folding.tokens("民法 典") == {"民", "法", "典", "民法"}


def test_fts_tokens_are_spelled_so_that_the_ascii_tokenizer_keeps_them_whole():
    assert fts_token("民法") == "民法"
    assert fts_token("a1") == "a1"
    assert fts_token("。") == "。"  # not ASCII: a token character
    assert fts_token("%") == "x25"
    assert fts_token("a%") == "x6125"
    assert fts_token('"') == "x22"
    spelled = {fts_token(t) for t in ("%", "a_", "_a", "\\", '"', "x2", "25")}
    assert len(spelled) == 7  # never two tokens the same, never a plain one
    assert set(fts_text({"民法", "%", "a"}).split(" ")) == {"民法", "x25", "a"}
    assert fts_match({'"', "民法"}) == '"x22" "民法"'


def test_marks_are_built_on_escaped_text():
    assert str(highlight.marked("<b>宪法</b>", ["宪法"])) == "&lt;b&gt;<mark>宪法</mark>&lt;/b&gt;"
    assert str(highlight.marked("宪法宪法", ["宪法"])) == "<mark>宪法宪法</mark>"  # merged
    assert str(highlight.marked("ＡＢＣ", ["b"])) == "Ａ<mark>Ｂ</mark>Ｃ"
    assert str(highlight.excerpt("无关", ["宪法"])) == "无关"
    long = "前" * 100 + "宪法" + "后" * 300
    excerpt = str(highlight.excerpt(long, ["宪法"]))
    assert excerpt.startswith("…" + "前" * highlight.EXCERPT_BEFORE + "<mark>宪法</mark>")
    assert excerpt.endswith("…")
    assert len(excerpt.replace("<mark>", "").replace("</mark>", "")) == highlight.EXCERPT_LENGTH + 2


@pytest.mark.postgresql_only
def test_the_postgresql_token_function_is_the_python_rule(app):
    samples = ["", "法", "民法 典", "ＡＢＣ 2024年 a_b%", "关于开展“民法典宣传月”活动的通知 java"]
    with app.app_context():
        for text in samples:
            folded = folding.fold(text)
            in_sql = db.session.scalar(sa.select(sa.func.search_tokens(folded)))
            # Pairs with a space and an empty string too, which no term asks for.
            asked_for = {token for token in in_sql if token and folding.SPACE not in token}
            assert asked_for == folding.tokens(folded), text
