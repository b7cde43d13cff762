"""The site's HTML policy (portal/sanitize.py); needs no app. Expected outputs are hand-written."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
import tinycss2
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    STYLE_CLASSES,
    CleanResult,
    absolutize_urls,
    clean,
    plain_text,
    strip_xml_illegal,
)
from portal.sanitize.filters import css_declarations

SITE = "www.sfj.example.gov.cn"
PUNCTUATION = "，。：“”《》（）！？、；"


class _Elements(HTMLParser):
    """Independent reading of the output (stdlib parser): every tag with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.comments.append(data)


def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def url_scheme(value: str) -> str | None:
    # As a browser would see it (the stdlib parser has already decoded entities).
    match = re.match(r"([a-z][a-z0-9+.\-]*):", re.sub(r"[\x00-\x20]", "", value).lower())
    return match.group(1) if match else None


def assert_safe(html: str) -> None:
    parsed = elements(html)
    assert parsed.comments == []
    for tag, attrs in parsed.elements:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert name in ALLOWED_ATTRIBUTES[tag], (tag, name, html)
            assert not name.startswith("on")
            if name in ("href", "src"):
                assert url_scheme(value or "") in (None, *ALLOWED_PROTOCOLS), (value, html)
    assert strip_xml_illegal(html) == html


# --- public constants ------------------------------------------------------------------------


def test_policy_constants():
    assert STYLE_CLASSES == {
        ("text-align", "center"): "text-center",
        ("text-align", "right"): "text-right",
        ("text-indent", "2em"): "indent-2em",
    }
    assert {"http", "https", "mailto"} == ALLOWED_PROTOCOLS
    expected_tags = (
        "p br strong b em i u s sub sup h2 h3 h4 blockquote ul ol li "
        "table thead tbody tr th td a img hr span div"
    )
    assert set(expected_tags.split()) <= ALLOWED_TAGS
    assert not ALLOWED_TAGS & {"script", "style", "font", "iframe", "svg", "math", "form"}
    assert ALLOWED_ATTRIBUTES["a"] == {"href", "title", "rel"}
    assert ALLOWED_ATTRIBUTES["img"] == {"src", "alt", "width", "height", "loading"}
    assert {"colspan", "rowspan"} <= ALLOWED_ATTRIBUTES["td"]
    assert not any("style" in names for names in ALLOWED_ATTRIBUTES.values())


# --- hostile corpus ----------------------------------------------------------------------------

# (input, expected html, expected removal report)
HOSTILE = {
    "script": ("<script>alert(1)</script><p>正文</p>", "<p>正文</p>", ("<script> 标签及其内容",)),
    "script upper": ("<SCRIPT>alert(1)</SCRIPT>", "", ("<script> 标签及其内容",)),
    "script mixed": ("a<ScRiPt >alert(1)</sCrIpT>b", "ab", ("<script> 标签及其内容",)),
    "script unclosed": ("<p>x</p><script>alert(1)", "<p>x</p>", ("<script> 标签及其内容",)),
    "script src": ('<script src="//evil.example/x.js"></script>', "", ("<script> 标签及其内容",)),
    "script in attribute": (
        '<p title="<script>alert(1)</script>" onclick="alert(1)">t</p>',
        "<p>t</p>",
        ("title 属性", "onclick 属性"),
    ),
    # A src that is neither https nor an upload of this site goes too, and with it the image.
    "img onerror": ("<img src=x onerror=alert(1)>", "", ("src 属性", "onerror 属性", "<img> 标签")),
    "img onerror quoted": (
        '<img src="x" onerror="alert(1)">',
        "",
        ("src 属性", "onerror 属性", "<img> 标签"),
    ),
    "img slash onerror": (
        '<img src="x"/onerror=alert(1)>',
        "",
        ("src 属性", "onerror 属性", "<img> 标签"),
    ),
    "img https onerror": (
        '<img src="https://a.example/x.png" onerror="alert(1)">',
        '<img src="https://a.example/x.png">',
        ("onerror 属性",),
    ),
    "onload": ('<div onload="alert(1)">d</div>', "<div>d</div>", ("onload 属性",)),
    "onclick": ("<p onclick=alert(1)>p</p>", "<p>p</p>", ("onclick 属性",)),
    "OnMouseOver": ('<span OnMouseOver="alert(1)">s</span>', "s", ("onmouseover 属性",)),
    "a javascript": ('<a href="javascript:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "a JaVaScRiPt": ('<a href="JaVaScRiPt:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "decimal entity": ('<a href="&#106;avascript:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "hex entity": ('<a href="&#x6A;avascript:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "tab entity": ('<a href="jav&#x09;ascript:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "raw tab": ('<a href="jav\tascript:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "raw newline": ('<a href="java\nscript:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "NUL": ('<a href="java\x00script:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "leading space": ('<a href=" \n\tjavascript:alert(1)">x</a>', "x", ("javascript: 链接",)),
    "data href": (
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        "x",
        ("data: 链接",),
    ),
    "DaTa img": ('<img src="DaTa:image/svg+xml,alert(1)">', "", ("data: 链接", "<img> 标签")),
    "vbscript": ('<a href="VBScript:msgbox(1)" title="t">x</a>', "x", ("vbscript: 链接",)),
    "file": ('<a href="file:///C:/secret.doc">x</a>', "x", ("file: 链接",)),
    "svg onload": ("<svg onload=alert(1)>", "", ("<svg> 标签及其内容",)),
    "svg script": ("<svg><script>alert(1)</script></svg>", "", ("<svg> 标签及其内容",)),
    "mathml mxss": (
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "",
        ("<math> 标签及其内容",),
    ),
    "form": (
        (
            '<form action="javascript:alert(1)"><button formaction=javascript:alert(1)>提交</button>'
            "<input value=alert(1)></form>"
        ),
        "",
        ("<form> 标签及其内容",),
    ),
    "button": ("<button formaction=javascript:alert(1)>x</button>", "", ("<button> 标签及其内容",)),
    "meta refresh": (
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        "",
        ("<meta> 标签",),
    ),
    "iframe srcdoc": (
        '<iframe srcdoc="<script>alert(1)</script>">alert(1)</iframe>',
        "",
        ("<iframe> 标签及其内容",),
    ),
    "object": (
        '<object data="javascript:alert(1)">alert(1)</object>',
        "",
        ("<object> 标签及其内容",),
    ),
    "embed": ('<embed src="javascript:alert(1)">', "", ("<embed> 标签",)),
    "applet": ('<applet code="alert(1)">alert(1)</applet>', "", ("<applet> 标签及其内容",)),
    "base": ('<base href="javascript:alert(1)//">', "", ("<base> 标签",)),
    "link": (
        '<link rel=stylesheet href="https://evil.example/alert(1).css">',
        "",
        ("<link> 标签",),
    ),
    "style import": (
        '<style>@import "https://evil.example/alert(1).css";</style>',
        "",
        ("<style> 标签及其内容",),
    ),
    "css expression": (
        '<p style="width: expression(alert(1))">a</p>',
        "<p>a</p>",
        ("style 样式 width:expression(alert(1))",),
    ),
    "css url javascript": (
        "<p style=\"background:url('javascript:alert(1)')\">a</p>",
        "<p>a</p>",
        ('style 样式 background:url("javascript:alert(1)")',),
    ),
    "comment": ("<!--<script>alert(1)</script>-->", "", ("HTML 注释",)),
    "conditional comment": (
        "<!--[if IE]><script>alert(1)</script><![endif]--><p>x</p>",
        "<p>x</p>",
        ("HTML 注释",),
    ),
    "noscript title": (
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        '"&gt;',
        ("<noscript> 标签及其内容", "src 属性", "onerror 属性", "<img> 标签"),
    ),
    "template": (
        "<template><script>alert(1)</script></template>",
        "",
        ("<template> 标签及其内容",),
    ),
    "textarea": ("<textarea>alert(1)</textarea>", "", ("<textarea> 标签及其内容",)),
    "select": ("<select><option>alert(1)</option></select>", "", ("<select> 标签及其内容",)),
    "title": ("<title>alert(1)</title><p>x</p>", "<p>x</p>", ("<title> 标签及其内容",)),
    "unclosed tags": (
        "<p>一<b>二<script>alert(1)",
        "<p>一<b>二</b></p>",
        ("<script> 标签及其内容",),
    ),
    "target blank": (
        '<a href="https://evil.example/" target="_blank" onclick="alert(1)">x</a>',
        '<a href="https://evil.example/" rel="noopener noreferrer">x</a>',
        ("target 属性", "onclick 属性"),
    ),
}


@pytest.mark.parametrize(("raw", "expected", "report"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_corpus(raw, expected, report):
    result = clean(raw)
    assert result == CleanResult(expected, report)
    assert_safe(result.html)
    assert "alert(1)" not in result.html
    assert "msgbox" not in result.html
    assert result.removed  # the editor is always told


def test_hostile_corpus_is_big_enough():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Entities bleach cannot decode are escaped, so the browser sees a harmless relative URL.
        (
            '<a href="javascript&colon;alert(1)">x</a>',
            '<a href="javascript&amp;colon;alert(1)">x</a>',
        ),
        ('<a href="&#106avascript:alert(1)">x</a>', '<a href="&amp;#106avascript:alert(1)">x</a>'),
        # A tag cut off by the end of input is dropped, as browsers drop it (the HTML standard's
        # "eof-in-tag").
        ("<img src=x onerror=alert(1)", ""),
        # Tags the HTML parser ignores in a fragment (as browsers do) vanish with their attributes.
        ('<frameset onload=alert(1)><frame src="javascript:alert(1)"></frameset>', ""),
        ("<body onload=alert(1)><p>x</p></body>", "<p>x</p>"),
    ],
)
def test_neutralised_without_removal(raw, expected):
    result = clean(raw)
    assert result.html == expected
    assert_safe(result.html)


@pytest.mark.parametrize(
    "tag",
    [
        *("script", "style", "iframe", "object", "template", "noscript", "svg", "math"),
        *("form", "button", "textarea", "select", "applet", "title", "noembed", "noframes", "xml"),
    ],
)
def test_dropped_with_content(tag):
    result = clean(f"<p>前</p><{tag}>秘密内容</{tag}><p>后</p>")
    assert result == CleanResult("<p>前</p><p>后</p>", (f"<{tag}> 标签及其内容",))


@pytest.mark.parametrize("tag", ["embed", "input", "meta", "link", "base"])
def test_void_elements_dropped(tag):
    assert clean(f"<p>x<{tag} src=javascript:alert(1)></p>") == CleanResult(
        "<p>x</p>", (f"<{tag}> 标签",)
    )


def test_full_document_paste():
    raw = (
        '<html><head><meta charset="utf-8"><title>文档</title><style>p{color:red}</style>'
        '</head><body onload="alert(1)"><p>正文</p></body></html>'
    )
    assert clean(raw) == CleanResult(
        "<p>正文</p>", ("<meta> 标签", "<title> 标签及其内容", "<style> 标签及其内容")
    )


# --- harmless markup ---------------------------------------------------------------------------


def test_unknown_tags_are_unwrapped_with_text_kept():
    raw = (
        '<p><font face="宋体" color=red>法</font><big>治</big><o:p></o:p></p><center>宣传</center>'
    )
    assert clean(raw) == CleanResult(
        "<p>法治</p>宣传", ("<font> 标签", "<big> 标签", "<o:p> 标签", "<center> 标签")
    )


def test_section_and_article_unwrapped():
    assert clean("<article><section><p>x</p></section></article>") == CleanResult(
        "<p>x</p>", ("<article> 标签", "<section> 标签")
    )


def test_allowed_markup_survives():
    html = (
        "<h2>一、总则</h2><h3>（一）</h3><h4>1.</h4><p><strong>强</strong><b>粗</b><em>强调</em>"
        "<i>斜</i><u>下划线</u><s>删除</s>H<sub>2</sub>O m<sup>2</sup><br>换行</p><hr>"
        "<blockquote><p>引用</p></blockquote><ul><li>甲</li></ul><ol><li>乙</li></ol>"
        '<div><span class="text-right">右</span></div>'
        '<table><thead><tr><th colspan="2">表头</th></tr></thead>'
        '<tbody><tr><td rowspan="2">1</td><td>2</td></tr></tbody></table>'
        '<p><a href="/notice/1" title="通知">链接</a>'
        '<img src="/attachments/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/a.png" alt="图" width="600" height="400" loading="lazy">'
        "</p>"
    )
    assert clean(html) == CleanResult(html, ())


def test_text_that_looks_like_html_stays_escaped():
    html = "<p>&lt;b&gt;不是标签&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert clean(html) == CleanResult(html, ())


def test_chinese_text_and_entities_survive():
    html = f"<p>依法治国，建设法治中国{PUNCTUATION} &amp; &nbsp; &lt; &gt; &#20013; &#x6587;</p>"
    assert clean(html) == CleanResult(html, ())


def test_bare_ampersand_is_escaped():
    assert clean("<p>A & B</p>").html == "<p>A &amp; B</p>"


def test_comments_removed_and_reported_once():
    raw = "<!-- a --><p>x<!-- b --></p><!--[if gte mso 9]><xml><w:x/></xml><![endif]-->"
    assert clean(raw) == CleanResult("<p>x</p>", ("HTML 注释",))


def test_attributes_not_allowed_are_reported():
    raw = '<p id="x" lang="zh-CN">a</p><img src="https://a.example/a.png" width="100%" height="50" border="0">'
    assert clean(raw) == CleanResult(
        '<p>a</p><img src="https://a.example/a.png" height="50">',
        ("id 属性", "lang 属性", "width 属性", "border 属性"),
    )


def test_img_without_usable_src_is_removed():
    assert clean('<p><img alt="无源">x</p>') == CleanResult("<p>x</p>", ("<img> 标签",))
    assert clean('<img src="javascript:alert(1)" alt="x">') == CleanResult(
        "", ("javascript: 链接", "<img> 标签")
    )


def test_link_without_href_is_unwrapped():
    assert clean('<a name="_Toc1" title="书签">目录</a>') == CleanResult("目录", ("name 属性",))


def test_bare_and_empty_spans_are_unwrapped():
    assert clean("<p><span>甲</span><span lang=EN-US></span></p>") == CleanResult(
        "<p>甲</p>", ("lang 属性",)
    )


def test_numeric_table_attributes():
    raw = '<table><tr><td colspan="2" rowspan="x">1</td></tr></table>'
    assert clean(raw) == CleanResult(
        '<table><tbody><tr><td colspan="2">1</td></tr></tbody></table>', ("rowspan 属性",)
    )


def test_empty_input():
    assert clean("") == CleanResult("", ())


def test_rejects_non_text():
    with pytest.raises(TypeError):
        clean(b"<p>x</p>")  # type: ignore[arg-type]


# --- style -> class ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "report"),
    [
        ('<p style="text-align:center">x</p>', '<p class="text-center">x</p>', ()),
        ('<p style="text-align: right;">x</p>', '<p class="text-right">x</p>', ()),
        ('<p style="text-indent:2em">x</p>', '<p class="indent-2em">x</p>', ()),
        ('<p style="TEXT-INDENT: 2.0em">x</p>', '<p class="indent-2em">x</p>', ()),
        ('<h3 style="text-align:center !important">x</h3>', '<h3 class="text-center">x</h3>', ()),
        (
            '<p style="text-indent:2em;text-align:center">x</p>',
            '<p class="text-center indent-2em">x</p>',
            (),
        ),
        (
            '<div class="MsoNormal text-right" style="text-indent:2em">x</div>',
            '<div class="text-right indent-2em">x</div>',
            (),
        ),
        ('<td style="text-align:center">x</td>', "x", ()),  # td outside a table: parser drops it
        (
            '<table><tr><th style="text-align:center">h</th></tr></table>',
            '<table><tbody><tr><th class="text-center">h</th></tr></tbody></table>',
            (),
        ),
        ('<span style="text-align:right">x</span>', '<span class="text-right">x</span>', ()),
        ('<p align="center">x</p>', '<p class="text-center">x</p>', ()),
        ('<p align="justify">x</p>', "<p>x</p>", ("align 属性",)),
        (
            '<p style="color:red;text-align:justify;text-indent:24pt">x</p>',
            "<p>x</p>",
            (
                "style 样式 color:red",
                "style 样式 text-align:justify",
                "style 样式 text-indent:24pt",
            ),
        ),
        (
            '<p style="mso-pagination:none;mso-layout-grid-align:none">x</p>',
            "<p>x</p>",
            ("style 样式 mso-*",),
        ),
        ('<p class="MsoNormal">x</p>', "<p>x</p>", ()),  # foreign classes go silently
        ('<p class="text-center">x</p>', '<p class="text-center">x</p>', ()),
        # On tags that take no class the style is simply dropped, and said so.
        (
            '<strong style="text-align:center">x</strong>',
            "<strong>x</strong>",
            ("style 样式 text-align:center",),
        ),
        ('<p style="">x</p>', "<p>x</p>", ()),
        # Reports are one line each (the editor stores them newline-separated).
        (
            '<p style="font-family:\n 宋体,\n  serif">x</p>',
            "<p>x</p>",
            ("style 样式 font-family:宋体, serif",),
        ),
        ('<p style="}{">x</p>', "<p>x</p>", ("style 样式",)),
    ],
)
def test_style_to_class(raw, expected, report):
    assert clean(raw) == CleanResult(expected, report)


# --- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "external"),
    [
        ("https://evil.example/page", True),
        ("HTTP://other.example.gov.cn/", True),
        ("//evil.example/x", True),
        ("/\\evil.example/x", True),  # browsers read "\" as "/": a protocol-relative URL
        (f"https://{SITE}/notice/1", False),
        (f"https://{SITE.upper()}/notice/1", False),
        (f"//{SITE}/notice/1", False),
        (f"https://{SITE}.evil.example/", True),
        ("/notice/1", False),
        ("notice/1?a=1&amp;b=2", False),
        ("#top", False),
        ("mailto:office@example.gov.cn", False),
    ],
)
def test_rel_on_external_links(href, external):
    rel = ' rel="noopener noreferrer"' if external else ""
    assert clean(f'<a href="{href}">x</a>', site_host=SITE) == CleanResult(
        f'<a href="{href}"{rel}>x</a>', ()
    )


def test_site_host_with_port():
    raw = f'<a href="https://{SITE}:8443/a">x</a>'
    assert clean(raw, site_host=f"{SITE}:8443").html == f'<a href="https://{SITE}:8443/a">x</a>'


def test_without_site_host_every_absolute_link_is_external():
    assert clean(f'<a href="https://{SITE}/">x</a><a href="/a">y</a>').html == (
        f'<a href="https://{SITE}/" rel="noopener noreferrer">x</a><a href="/a">y</a>'
    )


def test_author_rel_and_target_are_replaced_or_dropped():
    raw = (
        '<a href="https://evil.example/" rel="opener" target="_blank">x</a>'
        '<a href="/a" rel="nofollow" target="_self">y</a>'
    )
    assert clean(raw, site_host=SITE) == CleanResult(
        '<a href="https://evil.example/" rel="noopener noreferrer">x</a><a href="/a">y</a>',
        ("rel 属性", "target 属性"),
    )


def test_our_own_rel_is_not_reported():
    html = '<a href="https://evil.example/" rel="noopener noreferrer">x</a>'
    assert clean(html, site_host=SITE) == CleanResult(html, ())


# --- Word / WPS paste --------------------------------------------------------------------------

WORD_PASTE = """<!--StartFragment--><!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View>\
<w:Zoom>0</w:Zoom></w:WordDocument></xml><![endif]-->
<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;\
mso-line-height-rule:exactly'><b><span style='font-size:22.0pt;font-family:方正小标宋简体;\
mso-hansi-font-family:"Times New Roman"'>关于开展“八五”普法中期检查的通知<span lang=EN-US><o:p>\
</o:p></span></span></b></p>
<p class=MsoNormal><span lang=EN-US style='font-size:16.0pt'><o:p>&nbsp;</o:p></span></p>
<p class=MsoNormal style='text-indent:2.0em;mso-char-indent-count:2.0'><span \
style='font-size:16.0pt;font-family:仿宋_GB2312'>各区县司法局：<span lang=EN-US><o:p></o:p>\
</span></span></p>
<p class=MsoNormal style="text-indent:2em"><font face="仿宋_GB2312">根据《中华人民共和国宪法》，\
现将有关事项通知如下（详见附件<span lang=EN-US>1</span>）。\x0b</font></p>
<p class=MsoNormal><img width=553 height=311 \
src="file:///C:/Users/ADMINI~1/AppData/Local/Temp/msohtmlclip1/01/clip_image002.png"></p>
<!--EndFragment-->"""


def test_word_paste_becomes_clean_paragraphs():
    result = clean(WORD_PASTE)
    assert result.html == (
        "\n"
        '<p class="text-center"><b>关于开展“八五”普法中期检查的通知</b></p>\n'
        '<p class="indent-2em">各区县司法局：</p>\n'
        '<p class="indent-2em">根据《中华人民共和国宪法》，现将有关事项通知如下（详见附件1）。</p>\n'
    )
    assert result.removed == (
        "HTML 注释",
        "style 样式 line-height:28.0pt",
        "style 样式 mso-*",
        "style 样式 font-size:22.0pt",
        "style 样式 font-family:方正小标宋简体",
        "lang 属性",
        "<o:p> 标签",
        "style 样式 font-size:16.0pt",
        "style 样式 font-family:仿宋_GB2312",
        "<font> 标签",
        "file: 链接",
        "<img> 标签",
        "空段落",
    )
    assert clean(result.html) == CleanResult(result.html, ())


def test_wps_paste():
    raw = (
        '<p style="text-indent:2em;margin:0pt 0pt 0.0001pt;font-family:宋体">'
        '<span style="font-family:仿宋;font-size:16pt">第一条　为了规范行政执法行为。</span></p>'
    )
    assert clean(raw) == CleanResult(
        '<p class="indent-2em">第一条　为了规范行政执法行为。</p>',
        (
            "style 样式 margin:0pt 0pt 0.0001pt",
            "style 样式 font-family:宋体",
            "style 样式 font-family:仿宋",
            "style 样式 font-size:16pt",
        ),
    )


# --- idempotency and properties ----------------------------------------------------------------

_TAGS = [
    *("p", "b", "strong", "em", "a", "img", "span", "div", "table", "tr", "td", "th", "ul"),
    *("li", "h2", "br", "caption", "script", "style", "font", "o:p", "svg", "math", "iframe"),
    *("textarea", "noscript", "template", "title", "select", "xmp", "section", "center"),
    *("object", "form"),
]
_ATTRIBUTES = [
    ' onclick="alert(1)"',
    " OnError=alert(1)",
    ' href="javascript:alert(1)"',
    ' href="jav&#x09;ascript:alert(1)"',
    ' href="/notice/1"',
    ' href="https://evil.example/"',
    f' href="https://{SITE}/a"',
    ' src="a.png"',
    ' src="data:image/png;base64,AA"',
    ' style="text-align:center;color:red"',
    " style='text-indent:2.0em;mso-x:1'",
    ' style="background:url(javascript:alert(1))"',
    ' class="MsoNormal"',
    ' class="text-right"',
    ' width="10"',
    ' width="10%"',
    ' title="标题"',
    ' target="_blank"',
    ' rel="nofollow"',
    " lang=EN-US",
    " align=center",
    ' colspan="2"',
]
_TEXT = st.text(alphabet="ab 中文法治宣传" + PUNCTUATION + "<>&\"'=/\n\t", max_size=10)
_OTHER = st.sampled_from(
    [
        "<!-- c -->",
        "<!--[if gte mso 9]><xml>x</xml><![endif]-->",
        "<![if !supportLists]>",
        "&amp;",
        "&nbsp;",
        "&lt;b&gt;",
        "&#20013;",
        "&#1;",
        "\x0b",
        "\x00",
        "\ud800",
    ]
)
_OPEN = st.builds(
    lambda tag, attributes, end: f"<{tag}{''.join(attributes)}{end}>",
    st.sampled_from(_TAGS),
    st.lists(st.sampled_from(_ATTRIBUTES), max_size=3),
    st.sampled_from(["", "/"]),
)
_CLOSE = st.sampled_from(_TAGS).map(lambda tag: f"</{tag}>")
HTMLISH = st.lists(st.one_of(_OPEN, _CLOSE, _TEXT, _OTHER), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(HTMLISH, st.sampled_from([None, SITE]))
def test_clean_is_idempotent(raw, site_host):
    first = clean(raw, site_host=site_host)
    assert clean(first.html, site_host=site_host) == CleanResult(first.html, ())


@settings(max_examples=300, deadline=None)
@given(HTMLISH)
def test_output_is_allowlisted(raw):
    result = clean(raw)
    assert_safe(result.html)
    assert "alert(1)" not in result.html


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZ_-09#%.,+ \t\n:;eEm\u00a0x!(\\/*\"'", max_size=30))
def test_style_declarations_read_as_tinycss2_reads_them(css):
    # The plain declarations are read without tinycss2 (for speed): always as it reads them.
    expected = [
        (node.lower_name, " ".join(tinycss2.serialize(node.value).split()))
        if node.type == "declaration"
        else (None, "")
        for node in tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True)
    ]
    assert css_declarations(css) == expected


# In the output "<" and ">" only delimit tags (text and attribute values carry them as &lt; and
# &gt;), so what reads clean HTML with a pattern (portal.attachments' <img …>) finds each tag
# whole and in one pass.
_TAGS_AND_TEXT = re.compile(r"(?:[^<>]|<[^<>]*+>)*+")


@settings(max_examples=300, deadline=None)
@given(HTMLISH)
def test_angle_brackets_of_the_output_only_delimit_tags(raw):
    assert _TAGS_AND_TEXT.fullmatch(clean(raw).html)


def test_angle_brackets_in_attribute_values_are_escaped():
    raw = '<p><a href="/x?a=1>0" title="1 > 0 < 2">比较</a><img src="https://a.example/x.png" alt="甲>乙"></p>'
    assert clean(raw) == CleanResult(
        '<p><a href="/x?a=1&gt;0" title="1 &gt; 0 &lt; 2">比较</a>'
        '<img src="https://a.example/x.png" alt="甲&gt;乙"></p>',
        (),
    )


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
        | st.sampled_from(list(PUNCTUATION + "　0123456789abc ")),
        min_size=1,
    ).filter(lambda text: text.strip(" \u3000"))  # a paragraph of only spaces is dropped
)
def test_chinese_text_survives_unchanged(text):
    assert clean(f"<p>{text}</p>") == CleanResult(f"<p>{text}</p>", ())


@pytest.mark.parametrize(
    "empty", ["<p></p>", "<p> </p>", "<p>&nbsp;</p>", "<p>\u3000</p>", "<p><br></p>"]
)
def test_empty_paragraphs_are_dropped_and_reported(empty):
    assert clean(f"<p>正文</p>{empty}") == CleanResult("<p>正文</p>", ("空段落",))


def test_threads_get_the_same_results():
    # clean() must not share parser state between threads (bleach's Cleaner is not thread-safe).
    inputs = [raw for raw, _, _ in HOSTILE.values()] * 20 + [WORD_PASTE] * 20
    expected = [clean(raw) for raw in inputs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(clean, inputs)) == expected


# --- absolutize_urls ---------------------------------------------------------------------------


def test_absolutize_urls():
    html = (
        '<p><a href="/notice/1?a=1&amp;b=2">相对</a><a href="../b.html">上级</a>'
        '<a href="#s1">锚点</a><img src="/attachments/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/a.png" alt="图">'
        '<a href="https://other.example/x" rel="noopener noreferrer">外</a>'
        '<a href="mailto:office@example.gov.cn">邮件</a></p>'
    )
    assert absolutize_urls(html, "https://www.sfj.example.gov.cn/news/2024/1.html") == (
        '<p><a href="https://www.sfj.example.gov.cn/notice/1?a=1&amp;b=2">相对</a>'
        '<a href="https://www.sfj.example.gov.cn/news/b.html">上级</a>'
        '<a href="https://www.sfj.example.gov.cn/news/2024/1.html#s1">锚点</a>'
        '<img src="https://www.sfj.example.gov.cn/attachments/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/a.png" alt="图">'
        '<a href="https://other.example/x" rel="noopener noreferrer">外</a>'
        '<a href="mailto:office@example.gov.cn">邮件</a></p>'
    )


@settings(max_examples=300, deadline=None)
@given(HTMLISH)
def test_absolutized_bodies_are_still_clean_and_have_no_relative_url(raw):
    html = clean(raw).html
    absolute = absolutize_urls(html, "https://www.sfj.example.gov.cn/news/1.html")
    assert clean(absolute) == CleanResult(absolute, ())
    for attributes in re.findall(r"<[^<>]*>", absolute):  # in tags only: text keeps its words
        for url in re.findall(r'\s(?:href|src)="([^"]*)"', attributes):
            assert re.match(r"(?:https?|mailto):", url), url
    # Text is never rewritten: the same words as before.
    assert plain_text(absolute) == plain_text(html)


def test_absolutize_protocol_relative_and_text():
    html = '<p>&lt;b&gt; 中文 &amp; <a href="//cdn.example/x">x</a></p>'
    assert absolutize_urls(html, "https://www.sfj.example.gov.cn/") == (
        '<p>&lt;b&gt; 中文 &amp; <a href="https://cdn.example/x">x</a></p>'
    )


# --- plain_text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>依法治国，&nbsp;建设<strong>法治</strong>中国。</p>", "依法治国， 建设法治中国。"),
        ("<p>a &amp; &lt;b&gt; &#20013;&#x6587;</p>", "a & <b> 中文"),
        ("<h2>标题</h2><p>第一段</p><p>第二段<br>换行</p>", "标题 第一段 第二段 换行"),
        (
            "<ul><li>甲</li><li>乙</li></ul><table><tr><td>1</td><td>2</td></tr></table>",
            "甲 乙 1 2",
        ),
        ("  <p>\n\t x \n</p>  ", "x"),
        ("<p>&nbsp;</p><p><br></p>", ""),
        ('<p><img src="a.png" alt="图"></p>', ""),
        ("", ""),
    ],
)
def test_plain_text(html, text):
    assert plain_text(html) == text


# --- strip_xml_illegal -------------------------------------------------------------------------


def test_strip_xml_illegal():
    raw = "a\x00b\x01\x08c\td\ne\rf\x0b\x0cg\x0e\x1fh\ud800i\udfffj\ufffe\uffffk\ufffd\U0001f600"
    assert strip_xml_illegal(raw) == "abc\td\ne\rfghijk\ufffd\U0001f600"
    assert strip_xml_illegal("中文，。") == "中文，。"


def test_clean_output_has_no_xml_illegal_characters():
    raw = '<a href="/a" title="x\x01y">a\x0bb\x00c\ud800d &#1; &#x0B; &#xFFFE; &#xD800; &#9; &#20013;</a>'
    assert clean(raw) == CleanResult('<a href="/a" title="xy">abcd     &#9; &#20013;</a>', ())


def test_http_images_are_asked_for_over_https_because_the_csp_blocks_http():
    result = clean('<p><img src="http://www.example.gov.cn/a.png" alt="示意图"></p>')
    assert result.html == '<p><img src="https://www.example.gov.cn/a.png" alt="示意图"></p>'
    assert result.removed == ("http 图片地址（已改为 https）",)
    again = clean(result.html)
    assert again.html == result.html
    assert again.removed == ()


def test_http_links_are_left_alone():
    result = clean('<p><a href="http://www.example.gov.cn/">链接</a></p>')
    assert 'href="http://www.example.gov.cn/"' in result.html


def test_headings_outside_h2_to_h4_keep_their_meaning_at_the_nearest_level():
    result = clean("<h1>一级</h1><h5>五级</h5><h6>六级</h6>")
    assert result.html == "<h2>一级</h2><h4>五级</h4><h4>六级</h4>"
