"""Display-width truncation: the one function that cuts text on the server."""

import unicodedata

import pytest

from portal.text import display_width, summarize, truncate_width


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("普法", 4),
        ("abc", 3),
        ("普法ab", 6),
        ("，。", 4),  # full-width punctuation is wide
        ("😀", 2),
        ("e\u0301", 1),  # a combining accent takes no column
        ("👨\u200d👩\u200d👧", 2),  # a ZWJ family is one glyph
        ("&amp;", 1),  # an entity stands for one character
    ],
)
def test_display_width_counts_cjk_as_two_and_ascii_as_one(text, width):
    assert display_width(text) == width


def test_text_that_fits_is_returned_unchanged():
    assert (
        truncate_width("关于报送2022年度普法责任清单的通知", 100)
        == "关于报送2022年度普法责任清单的通知"
    )
    assert truncate_width("四个汉字", 8) == "四个汉字"


def test_cjk_is_cut_by_width_and_ends_with_ellipsis():
    # 10 columns: the ellipsis takes 1, so four CJK characters (8 columns) fit, not five.
    assert truncate_width("市委全面依法治市委员会办公室", 10) == "市委全面…"


def test_ascii_is_cut_by_width():
    assert truncate_width("abcdefghijkl", 6) == "abcde…"


def test_mixed_text_never_exceeds_the_width():
    cut = truncate_width("2024年全市守法普法工作要点", 12)
    assert cut == "2024年全市…"
    assert display_width(cut) <= 12


def test_a_wide_character_that_would_overflow_is_left_out():
    # "ab" (2) + "中" (2) + "…" (1) = 5 > 4: the CJK character does not fit.
    assert truncate_width("ab中文字", 4) == "ab…"


def test_emoji_surrogate_pairs_are_never_split():
    cut = truncate_width("😀😀😀😀", 5)
    assert cut == "😀😀…"
    cut.encode("utf-8")  # a lone surrogate would fail to encode


def test_lone_surrogates_are_dropped_not_emitted():
    assert truncate_width("ab\ud83dcdefgh", 4) == "abc…"


def test_combining_sequences_stay_whole():
    text = "e\u0301" * 6  # six "é" written as e + combining acute
    cut = truncate_width(text, 4)
    assert cut == "e\u0301e\u0301e\u0301…"


def test_emoji_zwj_and_flag_sequences_stay_whole():
    family = "👨\u200d👩\u200d👧"
    assert truncate_width(family * 3, 5) == family * 2 + "…"
    assert truncate_width("🇨🇳🇨🇳🇨🇳", 3) == "🇨🇳…"


def test_entities_are_never_cut_in_half():
    assert truncate_width("a&amp;b&amp;c&amp;d", 5) == "a&amp;b&amp;…"


def test_summarize_collapses_whitespace_first():
    assert summarize("  第一段。\n\n 第二段。 ", 100) == "第一段。 第二段。"
    assert summarize("第一段。\n第二段很长很长", 12) == "第一段。 第…"


def test_spacing_marks_stay_with_their_letter():
    # Devanagari "ता" is a consonant and a spacing vowel sign: one unit.
    assert truncate_width("किताब" * 3, 3) == "किता…"
    assert truncate_width("किताब" * 3, 2) == "कि…"
    for width in range(2, 12):
        kept = truncate_width("किताब" * 3, width).removesuffix("…")
        following = ("किताब" * 3)[len(kept) : len(kept) + 1]
        assert not following or not unicodedata.category(following).startswith("M"), width
