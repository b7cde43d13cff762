"""`flask --app portal seed-demo`: the old site's content, repaired, loaded once."""

from __future__ import annotations

import sqlalchemy as sa
from page import page

from portal.demo import complete_title, parse_legacy
from portal.extensions import db
from portal.posts.models import Post

LEGACY_SAMPLE = (
    """更多>>信息公告
- ·关于组织开展2023年全市民法典主题宣传 活动的通
- ·关于报送2022年度普法责任清单的通知
"""
    + "\n".join(f"- ·第{n}条公告的通" for n in range(3, 16))
    + """
一篇文章
发布时间:2019-08-06 17:19 浏览次数:次
发布时间:2019-08-06 17:19 浏览次数:次
第一段。
第二段。
第一段。
第二段。
"""
)


def posts(app) -> list[Post]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Post).order_by(Post.published_at.desc())).all()
        db.session.expunge_all()
        return rows


def test_seed_demo_loads_the_fifteen_notices_and_the_article(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "16 post(s) added" in result.output
    loaded = posts(app)
    assert len(loaded) == 16
    titles = [post.title for post in loaded]
    assert "如何做好公益诉讼检察工作?武汉检察有话说" in titles
    # Three notices the old sidebar cut to the same text stay three notices.
    assert titles.count("市委全面依法治市委员会办公室 市委宣传部 市司法局…") == 3


def test_seed_demo_twice_adds_nothing_twice(app, runner):
    runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "0 post(s) added" in second.output
    assert len(posts(app)) == 16


def test_seed_demo_does_not_bring_back_a_demo_post_an_editor_has_retitled(app, runner):
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        post = db.session.scalar(sa.select(Post).where(Post.title.like("关于推进落实%")))
        post.title = "关于推进落实《“1名村(居)法律顾问+ N名法律明白人”》工作的通知"
        db.session.commit()
    assert "0 post(s) added" in runner.invoke(args=["seed-demo"]).output
    assert len(posts(app)) == 16


def test_seed_demo_if_empty_leaves_a_site_with_posts_alone(app, runner, make_post):
    make_post("已有内容")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    assert [post.title for post in posts(app)] == ["已有内容"]


def test_demo_article_has_each_paragraph_once_date_and_source(app, runner, client):
    runner.invoke(args=["seed-demo"])
    article = next(p for p in posts(app) if p.title.startswith("如何做好公益诉讼"))
    response = client.get(f"/news/{article.id}.html")
    assert response.status_code == 200
    shown = page(response)
    assert "发布时间：2019-08-06 17:19" in shown.text
    assert shown.text.count("发布时间") == 1
    assert "来源：武汉市人民检察院" in shown.text
    body = shown.by_class("div", "article-body")[0].text
    assert body.count("7月17日至19日") == 1
    assert body.count("五要增强风险防控意识") == 1
    assert body.count("洪山、武昌、蔡甸") == 1
    assert "浏览次数：1" in shown.text  # a real count, not the old empty one


def test_demo_notices_keep_the_old_newest_first_order_and_name_their_years(app, runner):
    runner.invoke(args=["seed-demo"])
    notices = [post for post in posts(app) if post.channel_id != posts(app)[-1].channel_id]
    assert len(notices) == 15
    assert notices[0].title == "关于组织开展2024年全市“民法典宣传月” 活动的…"
    for notice in notices:
        for year in ("2022", "2023", "2024"):
            if year in notice.title:
                assert notice.published_at.year == int(year), notice.title


def test_titles_are_completed_only_where_the_ending_is_evident():
    assert complete_title("关于组织开展2023年全市民法典主题宣传 活动的通") == (
        "关于组织开展2023年全市民法典主题宣传 活动的通知"
    )
    assert (
        complete_title("关于报送2022年度普法责任清单的通知") == "关于报送2022年度普法责任清单的通知"
    )
    # Cut where the rest cannot be known: nothing is invented, the cut is shown.
    assert complete_title("关于推进落实《“1名村(居)法律顾问+ N名法律") == (
        "关于推进落实《“1名村(居)法律顾问+ N名法律…"
    )


def test_the_import_drops_exact_repeats_of_the_body_and_date_line():
    demo = parse_legacy(LEGACY_SAMPLE)
    article = demo[-1]
    assert article.title == "一篇文章"
    assert article.body_html.count("第一段。") == 1
    assert article.body_html.count("第二段。") == 1
    assert article.body_html.index("第一段") < article.body_html.index("第二段")
    assert article.published_at.isoformat() == "2019-08-06T17:19:00+08:00"
    assert demo[0].title.endswith("活动的通知")
