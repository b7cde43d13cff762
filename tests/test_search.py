"""站内搜索 (/search) as readers use it, on every backend: what is found (substrings of titles and
bodies, folded), what never is (anything not public, not even in the count), the filters, the
order and the pages, and bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from page import page

from portal.extensions import db
from portal.posts import service
from portal.posts.content import PostContent
from portal.posts.models import Post
from portal.posts.states import PostAction
from portal.timeutil import now_utc


@pytest.fixture
def publish(app, make_channel):
    """A post saved through the write path (``service.create``); returns its id. Published now
    unless ``at`` says when, or a draft / submitted for review with ``action``."""

    def publish(title, body="<p>正文。</p>", channel="notices", *, at=None, action=None) -> int:
        channel_row = make_channel(channel)
        with app.app_context():
            content = PostContent.from_raw_body(body, title=title, channel_id=channel_row.id)
            post = service.create(
                content, action=action or PostAction.PUBLISH, published_at=at, editor=None
            )
            return post.id

    return publish


@pytest.fixture
def change(app):
    """Apply a write-path operation (``service.withdraw``, ``service.trash`` …) to a post."""

    def change(operation, post_id, **arguments):
        with app.app_context():
            return operation(db.session.get(Post, post_id), editor=None, **arguments)

    return change


def found(client, q, **params) -> tuple[int, list[str]]:
    """(the count the page states, the result titles in order) of a search that must succeed."""
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    view = page(response)
    total = re.search(r"找到 (\d+) 条", view.text)
    assert total, view.text[:2000]
    titles = [" ".join(h.text.split()) for h in view.by_class("h2", "search-title")]
    return int(total.group(1)), titles


def titles_of(client, q, **params) -> list[str]:
    total, titles = found(client, q, **params)
    assert total == len(titles) or len(titles) == 20, (total, titles)
    return titles


# --- what is found ------------------------------------------------------------------------------


def test_a_word_is_found_in_titles_and_in_bodies_only(client, publish):
    publish("关于开展民法典宣传月活动的通知")
    publish("普法动态", body="<p>社区居民学习了<strong>民法典</strong>的相关规定。</p>")
    publish("无关的文章", body="<p>宪法宣传周。</p>")
    assert sorted(titles_of(client, "民法典")) == ["关于开展民法典宣传月活动的通知", "普法动态"]


def test_one_and_two_character_chinese_queries_find_every_post_containing_them(client, publish):
    publish("标题无关", body="<p>依法治市</p>")  # 法 inside a word
    publish("结尾一个字", body="<p>这是法</p>")  # 法 as the very last character
    publish("法", body="<p>标题只有一个字。</p>")
    publish("普法", body="<p>两个字的标题。</p>")
    publish("没有那个字", body="<p>宪章</p>")
    assert sorted(titles_of(client, "法")) == ["普法", "标题无关", "法", "结尾一个字"]
    assert titles_of(client, "普法") == ["普法"]
    assert titles_of(client, "依法") == ["标题无关"]


def test_a_longer_term_must_appear_whole_not_as_its_pieces(client, publish):
    publish("两个词分开", body="<p>民法学者讨论法典编纂。</p>")  # 民法 and 法典, never 民法典
    publish("真的有", body="<p>学习民法典。</p>")
    assert titles_of(client, "民法典") == ["真的有"]
    assert titles_of(client, "法典编纂") == ["两个词分开"]


def test_a_phrase_is_found_across_a_former_paragraph_break(client, publish):
    # Pasted text often breaks a phrase into paragraphs; Chinese has no spaces between words.
    publish("分段的文章", body="<p>中华人民</p>\n<p>共和国宪法</p>")
    publish("没有分段", body="<p>中华人民共和国宪法</p>")
    publish("只有一半", body="<p>中华人民</p><p>政府</p>")
    assert sorted(titles_of(client, "人民共和国")) == ["分段的文章", "没有分段"]
    excerpt = page(client.get("/search?q=人民共和国")).html
    assert (
        "中华<mark>人民\n共和国</mark>宪法" in excerpt
        or "中华<mark>人民 共和国</mark>宪法" in excerpt
    )


def test_mixed_chinese_and_ascii_and_several_terms(client, publish):
    publish("关于组织开展2024年普法工作的通知", body="<p>宪法宣传。</p>")
    publish("2024 年的另一种写法")  # a space between 2024 and 年
    publish("2023年工作要点", body="<p>宣传工作。</p>")
    assert titles_of(client, "2024年") == ["关于组织开展2024年普法工作的通知"]
    # Every term must match (terms are separated by spaces, full-width ones too).
    assert titles_of(client, "2024年 宣传") == ["关于组织开展2024年普法工作的通知"]
    assert titles_of(client, "宣传　2023年") == ["2023年工作要点"]
    assert sorted(titles_of(client, "2024 年")) == [
        "2024 年的另一种写法",
        "关于组织开展2024年普法工作的通知",
    ]
    assert found(client, "2024年 不存在的词") == (0, [])


def test_full_width_and_half_width_letters_and_digits_and_case_match_each_other(client, publish):
    publish("ＡＢＣ全角字母与１２３全角数字")
    publish("java 安全管理器")  # the complaint about other CMSes: 安全 not found
    publish("Java EE 与 JAVA SE")
    assert titles_of(client, "abc123") == []  # not adjacent in the title
    assert titles_of(client, "abc") == ["ＡＢＣ全角字母与１２３全角数字"]
    assert titles_of(client, "１２３") == ["ＡＢＣ全角字母与１２３全角数字"]
    assert titles_of(client, "ＡＢＣ") == ["ＡＢＣ全角字母与１２３全角数字"]
    assert titles_of(client, "安全") == ["java 安全管理器"]
    assert sorted(titles_of(client, "JAVA")) == ["Java EE 与 JAVA SE", "java 安全管理器"]
    assert titles_of(client, "ｊａｖａ ｅｅ") == ["Java EE 与 JAVA SE"]


def test_the_excerpt_is_around_the_first_match_with_the_matches_marked(client, publish):
    filler = "各单位要认真组织学习。" * 20
    publish(
        "通知",
        body=f"<p>{filler}</p><p>请于月底前报送<strong>普法</strong>责任清单，普法工作。</p>",
    )
    view = page(client.get("/search?q=普法"))
    (excerpt,) = view.by_class("p", "search-excerpt")
    assert excerpt.text.startswith("…")  # cut before: the match is far from the start
    assert "请于月底前报送普法责任清单，普法工作。" in excerpt.text
    assert [mark.text for mark in excerpt.children if mark.tag == "mark"] == ["普法", "普法"]
    # The reader's own characters are marked, whatever the query's width or case.
    publish("ＰＤＦ文件下载说明")
    assert "<mark>ＰＤＦ</mark>文件下载说明" in client.get("/search?q=pdf").get_data(as_text=True)


def test_the_query_and_the_text_never_become_markup(client, publish):
    publish(
        "关于<b>加粗</b>的说明",
        body="<p>&lt;script&gt;alert(1)&lt;/script&gt; 与 <em>强调</em></p>",
    )
    html = client.get("/search", query_string={"q": "<script>"}).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>&lt;script&gt;</mark>alert(1)" in html
    probe = client.get("/search", query_string={"q": '"><img src=x onerror=alert(1)>'})
    assert probe.status_code == 200
    assert "<img src=x" not in probe.get_data(as_text=True)
    assert found(client, "<b>") == (1, ["关于<b>加粗</b>的说明"])  # the title's own text


# --- what is never found --------------------------------------------------------------------------


def test_nothing_that_is_not_public_is_found_or_counted(client, publish, change, clock):
    now = now_utc()
    publish("公开的宪法文章")
    publish("草稿的宪法文章", action=PostAction.DRAFT)
    publish("待审核的宪法文章", action=PostAction.SUBMIT)
    publish("定时的宪法文章", at=now + timedelta(hours=2))
    trashed = publish("回收站的宪法文章")
    change(service.trash, trashed)
    withdrawn = publish("撤回的宪法文章")
    change(service.withdraw, withdrawn)
    assert found(client, "宪法") == (1, ["公开的宪法文章"])
    assert found(client, "宪法文章", sort="newest") == (1, ["公开的宪法文章"])
    # The scheduled post is found from its time on, with no job run.
    clock(now + timedelta(hours=3))
    assert found(client, "宪法", sort="newest") == (2, ["定时的宪法文章", "公开的宪法文章"])


def test_the_index_follows_every_change_of_the_write_path(app, client, publish, change):
    post_id = publish("关于开展宪法宣传周的通知", body="<p>旧的正文。</p>")
    assert titles_of(client, "旧的正文") == ["关于开展宪法宣传周的通知"]
    with app.app_context():
        post = db.session.get(Post, post_id)
        content = PostContent.from_raw_body(
            "<p>新的正文。</p>", title="关于开展民法典宣传月的通知", channel_id=post.channel_id
        )
        service.save(
            post,
            content,
            action=PostAction.PUBLISH,
            published_at=post.published_at,
            expected_version=post.version,
            editor=None,
        )
    assert titles_of(client, "旧的正文") == []
    assert titles_of(client, "宪法") == []
    assert titles_of(client, "新的正文 民法典") == ["关于开展民法典宣传月的通知"]
    change(service.withdraw, post_id)
    assert titles_of(client, "民法典") == []
    with app.app_context():
        post = db.session.get(Post, post_id)
        service.save(
            post,
            content,
            action=PostAction.PUBLISH,
            published_at=None,
            expected_version=post.version,
            editor=None,
        )
    assert titles_of(client, "民法典") == ["关于开展民法典宣传月的通知"]
    change(service.trash, post_id)
    assert titles_of(client, "民法典") == []
    change(service.restore, post_id)
    assert titles_of(client, "民法典") == ["关于开展民法典宣传月的通知"]
    change(service.trash, post_id)
    change(service.delete_forever, post_id)
    assert titles_of(client, "民法典") == []
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM search_document")).scalar() == 0


def test_the_index_changes_in_the_transaction_of_the_change_or_not_at_all(app, client, publish):
    from portal.posts.signals import post_changing

    publish("已有的文章")

    def fail(_app, **_details):
        raise RuntimeError("after the index, before the commit")

    post_changing.connect(fail, sender=app)
    try:
        with pytest.raises(RuntimeError):
            publish("不会保存的宪法文章")
    finally:
        post_changing.disconnect(fail, sender=app)
    with app.app_context():
        db.session.rollback()
    assert found(client, "宪法") == (0, [])
    assert titles_of(client, "已有的文章") == ["已有的文章"]


def test_a_bulk_import_is_indexed(app, client, make_channel):
    channel = make_channel("notices")
    items = [
        service.ImportedPost(
            PostContent.from_raw_body(
                f"<p>第{n}篇导入的正文。</p>", title=f"导入{n}", channel_id=channel.id
            ),
            status="published",
            published_at=now_utc() - timedelta(days=n),
            created_at=now_utc() - timedelta(days=n),
        )
        for n in range(1, 6)
    ]
    with app.app_context():
        assert service.import_posts(items, batch_size=2) == 5
    assert found(client, "导入的正文", sort="newest")[1] == [f"导入{n}" for n in range(1, 6)]


def test_reindex_rebuilds_the_index_with_a_progress_bar(app, client, publish, runner):
    publish("关于开展宪法宣传周的通知")
    publish("草稿", action=PostAction.DRAFT)
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM search_document"))
        db.session.commit()
    assert titles_of(client, "宪法") == []
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexing posts" in result.output
    assert "2 post(s) indexed" in result.output
    assert titles_of(client, "宪法") == ["关于开展宪法宣传周的通知"]
    again = runner.invoke(args=["reindex"])  # from a full index too
    assert again.exit_code == 0
    assert titles_of(client, "宪法") == ["关于开展宪法宣传周的通知"]


# --- filters, order, pages -------------------------------------------------------------------------


def test_channel_and_date_filters(client, publish, make_channel):
    make_channel("news", name="普法动态")
    publish("通知里的宪法", at=datetime(2026, 11, 25, 16, 30, tzinfo=UTC))  # 26 日 00:30 北京时间
    publish("动态里的宪法", channel="news", at=datetime(2026, 11, 25, 15, 30, tzinfo=UTC))
    publish("更早的宪法", at=datetime(2025, 1, 1, 2, tzinfo=UTC))
    assert sorted(titles_of(client, "宪法", channel="news")) == ["动态里的宪法"]
    assert sorted(titles_of(client, "宪法", since="2026-11-26")) == ["通知里的宪法"]
    assert sorted(titles_of(client, "宪法", until="2026-11-25")) == ["动态里的宪法", "更早的宪法"]
    assert titles_of(client, "宪法", since="2025-01-01", until="2025-01-01") == ["更早的宪法"]
    assert titles_of(client, "宪法", channel="notices", since="2026-01-01") == ["通知里的宪法"]


@pytest.mark.usefixtures("clock")
def test_relevance_puts_title_matches_first_and_newest_is_by_time(client, publish):
    now = now_utc()
    publish("只在正文", body="<p>宪法宪法宪法宣传。</p>", at=now - timedelta(hours=1))
    publish("宪法宣传周", body="<p>无。</p>", at=now - timedelta(hours=3))
    publish("宪法和宣传", body="<p>无。</p>", at=now - timedelta(hours=2))
    # Both terms in the title first (the newest first among them), then the body-only match.
    assert titles_of(client, "宪法 宣传") == ["宪法和宣传", "宪法宣传周", "只在正文"]
    assert titles_of(client, "宪法 周") == ["宪法宣传周"]
    assert titles_of(client, "宪法") == ["宪法和宣传", "宪法宣传周", "只在正文"]
    assert titles_of(client, "宪法", sort="relevance") == titles_of(client, "宪法")
    assert titles_of(client, "宪法", sort="newest") == ["只在正文", "宪法和宣传", "宪法宣传周"]


@pytest.mark.usefixtures("clock")
def test_twenty_results_a_page_and_page_links_keep_the_search(client, publish, make_channel):
    make_channel("news")
    now = now_utc()
    for number in range(1, 26):
        publish(f"第{number}号宪法通知", channel="news", at=now - timedelta(hours=number))
    first = client.get("/search", query_string={"q": "宪法", "sort": "newest", "channel": "news"})
    view = page(first)
    assert [" ".join(h.text.split()) for h in view.by_class("h2", "search-title")] == [
        f"第{n}号宪法通知" for n in range(1, 21)
    ]
    assert "找到 25 条" in view.text
    assert "第 1 / 2 页" in view.text
    next_link = view.links()["下一页"]
    assert "q=%E5%AE%AA%E6%B3%95" in next_link
    assert "sort=newest" in next_link
    assert "channel=news" in next_link
    assert "page=2" in next_link
    second = page(client.get(next_link))
    titles = [" ".join(h.text.split()) for h in second.by_class("h2", "search-title")]
    assert titles == [f"第{n}号宪法通知" for n in range(21, 26)]
    assert second.one("ol", class_="search-results").attrs["start"] == "21"
    assert client.get("/search", query_string={"q": "宪法", "page": "3"}).status_code == 404


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "   ", "\u3000", "\x00", "\x1f\x7f"])
def test_an_empty_query_shows_the_guidance(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    view = page(response)
    assert "如何搜索" in view.text
    assert view.by_class("p", "search-summary") == []


def test_a_query_over_100_characters_is_refused_with_a_message_as_typed(client, publish):
    publish("宪法")
    long_query = "宪" * 101
    response = client.get("/search", query_string={"q": long_query})
    assert response.status_code == 400
    view = page(response)
    assert "搜索词过长：最多 100 个字符（现在 101 个）" in view.text
    assert view.one("input", id="search-q").attrs["value"] == long_query
    assert view.by_class("p", "search-summary") == []
    assert found(client, "宪" * 100)[0] == 0  # 100 is allowed


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("100%", ["百分号 100%"]),
        ("%", ["百分号 100%"]),
        ("_", ["下划线 a_b"]),
        ("a_b", ["下划线 a_b"]),
        ('"引号"', ['双引号 "引号"']),
        ("'单'", ["单引号 '单'"]),
        ("\\", ["反斜杠 a\\b"]),
        ("a\\b", ["反斜杠 a\\b"]),
        ("*", ["星号 c*"]),
        ("OR", ["运算符 A OR B"]),
        ("A OR B", ["运算符 A OR B"]),
        ("NEAR(", []),
        ("AND", []),
        ("宪法 OR 民法", []),  # OR is a term here: no post has all three
        ("' OR 1=1 --", []),
        ("'; DROP TABLE post; --", []),
        ("search_fts MATCH", []),
        ("宪\x00法", ["宪法和民法"]),  # a control character is a space (none inside Chinese)
        ("A\x01OR", ["运算符 A OR B"]),  # … and separates Latin terms
    ],
)
def test_special_characters_are_searched_as_plain_text(app, client, publish, q, expected):
    for title in (
        "百分号 100%",
        "下划线 a_b",
        '双引号 "引号"',
        "单引号 '单'",
        "反斜杠 a\\b",
        "星号 c*",
        "运算符 A OR B",
        "宪法和民法",
    ):
        publish(title)
    assert titles_of(client, q) == expected
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 8


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"channel": "no-such"}, "channel", "没有这个栏目"),
        ({"since": "2024-13-01"}, "since", "日期格式不正确"),
        ({"until": "2024/01/01"}, "until", "日期格式不正确"),
        ({"since": "２０２４-０１-０１"}, "since", "日期格式不正确"),
        ({"since": "0001-01-01"}, "since", "日期应在 1900 至 2999 年之间"),
        ({"since": "2024-02-01", "until": "2024-01-01"}, "until", "开始日期不能晚于结束日期"),
        ({"sort": "random"}, "sort", "排序方式只能是"),
    ],
)
def test_bad_filters_re_render_the_form_as_typed_with_a_message(client, params, field, message):
    response = client.get("/search", query_string={"q": "宪法", **params})
    assert response.status_code == 400
    view = page(response)
    error = view.one("p", id=f"search-{field}-error")
    assert message in error.text
    assert view.one("input", id="search-q").attrs["value"] == "宪法"
    for name, value in params.items():
        if name in ("since", "until"):
            assert view.one("input", id=f"search-{name}").attrs["value"] == value
    assert view.by_class("p", "search-summary") == []


@pytest.mark.parametrize("number", ["0", "abc", "01", "-1"])
def test_a_bad_page_number_is_a_bad_request(client, number):
    assert client.get("/search", query_string={"q": "宪法", "page": number}).status_code == 400


# --- every page, editors, caching ---------------------------------------------------------------


def test_every_page_has_the_search_box_in_its_header(client, editor_client, publish):
    post_id = publish("一篇文章")
    for url in ("/", "/notices/", f"/notices/{post_id}.html", "/no-such-channel/", "/search"):
        view = page(client.get(url))
        box = view.one("input", id="site-search-q")
        assert box.attrs["name"] == "q"
        assert box.attrs["maxlength"] == "100"
        assert view.one("label", for_="site-search-q").text == "站内搜索"
        form = view.one("form", class_="site-search")
        assert form.attrs["action"] == "/search"
        assert form.attrs["method"] == "get"
    assert page(editor_client.get("/editor/")).one("input", id="site-search-q")


def test_search_pages_are_never_kept_for_anyone(client, editor_client, publish):
    publish("宪法宣传")
    for reader in (client, editor_client):
        response = reader.get("/search", query_string={"q": "宪法"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-cache"
    assert found(client, "宪法") == (1, ["宪法宣传"])
    publish("宪法学习")  # the next search sees it at once
    assert found(client, "宪法")[0] == 2
    assert found(editor_client, "宪法")[0] == 2
