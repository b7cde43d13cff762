"""``bench-data N``: N realistic posts for measuring the site at scale, saved in bulk through
the one write path (``service.import_posts``).

The text is varied Chinese legal-publicity prose: sentences of the shipped legacy article and
sentences made from word lists, in titles that follow each channel's usual patterns and bodies
of 2 to 12 paragraphs or lists, some in sections under heads, some signed (3 KB of UTF-8 on
average, from under 1 KB to about 9 KB). Bodies
are assembled from a pool of fragments, each cleaned once by the site's sanitizer; a body is
fragments joined by newlines, so its clean form is the join of the fragments' clean forms
(the tests check ``clean(body_raw) == body_html`` on every post).

Six channels (the two demo ones and four more, of unequal size: 普法动态 is the biggest);
published times over the last ten years, in office hours of the site zone; about 3 % drafts,
2 % scheduled, 3 % in the trash, and a few pinned posts per channel. The same ``--seed`` gives
the same posts (times are relative to now). Running it again adds N more.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from markupsafe import escape

from portal.demo import CHANNELS as DEMO_CHANNELS
from portal.demo import demo_posts
from portal.demo.seed import ensure_channels
from portal.posts import service
from portal.posts.content import PostContent
from portal.posts.models import Channel
from portal.posts.service import ImportedPost
from portal.posts.states import PostState
from portal.sanitize import clean
from portal.timeutil import now_utc

# slug, name, column type, description, keywords: the demo channels first, then four more.
CHANNELS = [
    *DEMO_CHANNELS,
    ("laws", "政策法规", "政策文件", "法律法规、地方性法规与规范性文件。", "法规,规章,规范性文件"),
    ("interpretation", "政策解读", "政策解读", "法律法规与政策文件的解读。", "解读,政策,法规"),
    ("cases", "以案释法", "专题专栏", "典型案例与以案释法。", "案例,以案释法,法院"),
    ("services", "法律服务", "办事服务", "公共法律服务与办事指南。", "法律援助,公证,调解"),
]
CHANNEL_WEIGHTS = {
    "news": 38,
    "notices": 22,
    "laws": 12,
    "cases": 12,
    "interpretation": 10,
    "services": 6,
}
YEARS = 10
DRAFT, SCHEDULED, TRASHED = 0.03, 0.02, 0.03  # shares of the posts
REVIEW_KINDS = {"u": PostState.SUBMITTED, "o": PostState.SIGNOFF, "r": PostState.RETURNED}
PINNED_PER_CHANNEL = 4  # about this many (and at most 3 % of the posts)
FRAGMENTS = 1500


def _words(text: str) -> list[str]:
    return text.split()


PLACES = _words(
    "江岸区 江汉区 硚口区 汉阳区 武昌区 青山区 洪山区 东西湖区 汉南区 蔡甸区 江夏区 黄陂区 新洲区 东湖新技术开发区 武汉经济技术开发区 长江新区"
)
ORGS = _words(
    "市司法局 区司法局 市普法办 市人民检察院 区人民检察院 市中级人民法院 区人民法院 市公安局 市市场监督管理局 市生态环境局 市人力资源和社会保障局 市律师协会 市公共法律服务中心 市委依法治市办 街道司法所 市总工会 团市委 市妇联"
)
ACTS = _words("开展了 组织开展了 深入推进 扎实开展 启动了 举办了 集中开展了 创新开展")
TOPICS = [
    "民法典宣传月活动",
    "“八五”普法中期督导",
    "国家宪法日暨宪法宣传周活动",
    "法律进社区活动",
    "法治文化阵地建设",
    "青少年法治教育",
    "“谁执法谁普法”履职评议",
    "“法律明白人”培训",
    "民主法治示范村(社区)创建",
    "公益诉讼专题培训",
    "农民工欠薪法律援助专项行动",
    "反电信网络诈骗宣传",
    "安全生产法宣传",
    "全民国家安全教育日宣传",
    "禁毒宣传",
    "消费者权益保护宣传",
    "未成年人保护法宣传",
    "优化营商环境法治保障",
    "行政执法规范化建设",
    "人民调解“枫桥经验”实践",
    "领导干部学法用法",
    "防范非法集资宣传",
    "生态环境保护法治宣传",
    "妇女儿童权益保障宣传",
]
EFFECTS = [
    "进一步增强了群众的法治意识",
    "营造了尊法学法守法用法的良好氛围",
    "推动普法工作走深走实",
    "切实提升了基层依法治理水平",
    "让法治精神深入人心",
    "受到辖区群众的广泛好评",
    "打通了普法宣传的“最后一公里”",
    "为法治武汉建设贡献了力量",
]
METHODS = _words(
    "设置咨询台、发放宣传册、现场答疑 以案说法、情景剧表演、有奖问答 短视频、微信公众号、网络直播 入户走访、法治讲座、模拟法庭"
)
LAWS = [
    "中华人民共和国民法典",
    "中华人民共和国宪法",
    "中华人民共和国未成年人保护法",
    "中华人民共和国反电信网络诈骗法",
    "中华人民共和国安全生产法",
    "中华人民共和国行政处罚法",
    "中华人民共和国法律援助法",
    "中华人民共和国个人信息保护法",
    "中华人民共和国反家庭暴力法",
    "武汉市文明行为促进条例",
    "武汉市湖泊保护条例",
    "武汉市优化营商环境条例",
    "湖北省法治宣传教育条例",
]
NEXT_STEPS = [
    "持续创新普法形式",
    "把普法融入执法司法全过程",
    "加强普法队伍建设",
    "推动普法责任制落地落实",
    "健全普法工作考核评价机制",
    "深化“智慧普法”平台建设",
]
GOALS = [
    "不断提升人民群众的获得感、幸福感、安全感",
    "为经济社会高质量发展提供有力法治保障",
    "推动形成办事依法、遇事找法的社会氛围",
    "确保各项任务落到实处",
]
PEOPLE = _words("社区居民 企业职工 在校学生 基层干部 执法人员 人民调解员 外来务工人员 老年群众")
CASE_LESSONS = [
    "签订合同时务必仔细阅读条款，保留好相关凭证",
    "遇到纠纷应当通过合法途径维护自身权益",
    "网络并非法外之地，转发不实信息同样需要承担法律责任",
    "用人单位应当依法为劳动者缴纳社会保险",
    "高空抛物不仅危害公共安全，还可能构成犯罪",
]
HEADS = _words(
    "提高思想认识 加强组织领导 突出工作重点 创新方式方法 强化督促落实 注重宣传引导 完善工作机制 加强队伍建设"
)
NUMERALS = "一二三四五六七八九十"
AUTHORS = _words("王磊 李娜 张伟 刘洋 陈静 杨帆 赵敏 黄强 周丽 吴昊 徐晨 孙倩")
CASES = [
    "网购遇到“霸王条款”怎么办",
    "邻里漏水纠纷",
    "拖欠农民工工资被判刑",
    "高空抛物致人受伤",
    "冒充客服实施电信诈骗",
    "未签劳动合同能否主张双倍工资",
    "老人遗嘱是否有效",
    "宠物伤人谁来担责",
]
SERVICES = _words("法律援助 公证 人民调解 司法鉴定 律师咨询 行政复议 法律服务热线12348")


@dataclass(frozen=True)
class Fragment:
    raw: str
    clean: str


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _legacy_sentences() -> list[str]:
    """The sentences of the shipped legacy article."""
    article = max(demo_posts(), key=lambda demo: len(demo.body_html))
    text = _plain(article.body_html)
    return [part.strip() + "。" for part in re.split(r"。", text) if len(part.strip()) > 8]


def _sentence(rng: random.Random, legacy: list[str]) -> str:
    c = rng.choice
    year = rng.randint(2015, 2025)
    templates = [
        lambda: c(legacy),
        lambda: c(legacy),
        lambda: f"{c(PLACES)}{c(ORGS)}{c(ACTS)}{c(TOPICS)}，{c(EFFECTS)}。",
        lambda: (
            f"活动中，工作人员通过{c(METHODS)}等方式，向{c(PEOPLE)}讲解《{c(LAWS)}》的相关规定。"
        ),
        lambda: (
            f"本次活动共发放宣传资料{rng.randint(2, 90) * 100}余份，解答法律咨询{rng.randint(30, 900)}人次，{c(EFFECTS)}。"
        ),
        lambda: f"{c(ORGS)}有关负责人表示，下一步将{c(NEXT_STEPS)}，{c(GOALS)}。",
        lambda: f"会议强调，各单位要{c(NEXT_STEPS)}，{c(GOALS)}。",
        lambda: (
            f"据统计，{year}年以来，全市共办理{c(SERVICES)}案件{rng.randint(100, 9000)}件，同比增长{rng.randint(2, 40)}%。"
        ),
        lambda: (
            f"参加活动的{c(PEOPLE)}纷纷表示，通过学习进一步了解了《{c(LAWS)}》，今后将自觉做到学法守法用法。"
        ),
        lambda: f"案件承办人提醒：{c(CASE_LESSONS)}。",
    ]
    return c(templates)()


def _paragraphs(rng: random.Random, legacy: list[str]) -> Iterator[str]:
    while True:
        text = "".join(_sentence(rng, legacy) for _ in range(rng.randint(2, 6)))
        kind = rng.random()
        if kind < 0.08:
            lead, _, rest = text.partition("，")
            yield f'<p class="indent-2em"><strong>{escape(lead)}，</strong>{escape(rest)}</p>'
        elif kind < 0.12:
            items = "".join(f"<li>{escape(_sentence(rng, legacy))}</li>" for _ in range(3))
            yield f"<ul>{items}</ul>"
        else:
            yield f'<p class="indent-2em">{escape(text)}</p>'


def fragment_pools(rng: random.Random) -> dict[str, list[Fragment]]:
    """Paragraphs, section heads and signatures, each cleaned once by the site's sanitizer."""

    def cleaned(raws) -> list[Fragment]:
        return [Fragment(raw, clean(raw).html) for raw in raws]

    legacy = _legacy_sentences()
    paragraphs = _paragraphs(rng, legacy)
    return {
        "paragraphs": cleaned(next(paragraphs) for _ in range(FRAGMENTS)),
        "heads": cleaned(
            f"<h3>{numeral}、{head}</h3>" for numeral in NUMERALS[:6] for head in HEADS
        ),
        "signatures": cleaned(f'<p class="text-right">{org}</p>' for org in ORGS),
    }


def _body(rng: random.Random, pools: dict[str, list[Fragment]]) -> tuple[str, str]:
    blocks = rng.choice((2, 3, 4, 4, 5, 5, 6, 7, 8, 10, 12))
    fragments = rng.sample(pools["paragraphs"], blocks)
    if blocks >= 4 and rng.random() < 0.35:  # in sections: 一、…, 二、…
        heads = [pools["heads"][n * len(HEADS) + rng.randrange(len(HEADS))] for n in range(6)]
        sections = [fragments[0]]
        for number, start in enumerate(range(1, blocks, 2)):
            sections += [heads[number], *fragments[start : start + 2]]
        fragments = sections
    if rng.random() < 0.4:
        fragments.append(rng.choice(pools["signatures"]))
    return "\n".join(f.raw for f in fragments), "\n".join(f.clean for f in fragments)


def _title(rng: random.Random, slug: str, year: int) -> str:
    c = rng.choice
    topic = c(TOPICS).strip("“”")
    law = c(LAWS)
    patterns = {
        "notices": [
            f"关于组织开展{year}年{c(TOPICS)}的通知",
            f"关于印发《{year}年{c(PLACES)}守法普法工作要点》的通知",
            f"关于报送{year}年度{c(('普法责任清单', '领导干部学法清单', '法治建设情况'))}的通知",
            f"关于公布{year}年度{c(PLACES)}{c(('法治宣传教育先进单位', '民主法治示范社区'))}名单的公告",
            f"{c(ORGS)}关于开展{topic}的通知",
        ],
        "news": [
            f"{c(PLACES)}{c(ACTS).removesuffix('了')}{c(TOPICS)}",
            f"{c(ORGS)}召开{year}年{c(('普法工作推进会', '依法治市工作会议', '法治宣传教育工作会'))}",
            f"{c(PLACES)}：{topic}{c(('见实效', '进万家', '出新招', '入人心'))}",
            f"如何做好{c(('公益诉讼', '法律援助', '人民调解', '普法宣传'))}工作？{c(ORGS)}有话说",
        ],
        "laws": [
            f"《{law}》全文",
            f"关于{c(('加强', '推进', '深化'))}{topic}的实施意见",
            f"{year}年{c(PLACES)}守法普法工作要点",
        ],
        "interpretation": [f"一图读懂《{law}》", f"《{law}》解读", f"专家解读：《{law}》的亮点"],
        "cases": [f"以案释法：{c(CASES)}", f"典型案例｜{c(CASES)}", f"{c(CASES)}？法官这样说"],
        "services": [
            f"{c(SERVICES)}办理指南",
            f"如何申请{c(SERVICES)}？",
            f"{c(PLACES)}公共法律服务中心提供{c(SERVICES)}服务",
        ],
    }
    return c(patterns[slug])


def _office_hours(rng: random.Random, day: datetime, zone: ZoneInfo) -> datetime:
    local = day.astimezone(zone).replace(hour=rng.randint(8, 18), minute=rng.randrange(60))
    return local.replace(second=0, microsecond=0).astimezone(day.tzinfo)


def _skeletons(rng: random.Random, count: int, now: datetime, zone: ZoneInfo) -> list[tuple]:
    """(created_at, status, published_at, trashed_at, pinned, slug) of each post, in the order
    of creation (ids follow it, as on a real site)."""
    slugs, weights = zip(*CHANNEL_WEIGHTS.items(), strict=True)
    pin_share = min(0.03, PINNED_PER_CHANNEL * len(slugs) / count)
    # One of each (d)raft, (s)cheduled, (t)rashed, (P)inned and review state at least, whatever
    # the count (REVIEW_KINDS: waiting for a review, for its 签发, or returned).
    forced = dict(
        zip(rng.sample(range(count), min(count, 7)), "dstP" + "".join(REVIEW_KINDS), strict=False)
    )
    rows = []
    for number in range(count):
        kind = forced.get(number) or rng.choices("dstp", (DRAFT, SCHEDULED, TRASHED, 1))[0]
        past = now - timedelta(days=rng.uniform(0, 365.25 * YEARS))
        moment = min(_office_hours(rng, past, zone), now)
        if kind == "s":
            moment = _office_hours(rng, now + timedelta(days=rng.uniform(1, 60)), zone)
            created = now - timedelta(days=rng.uniform(0, 7))
        else:
            created = moment - timedelta(minutes=rng.uniform(10, 3 * 24 * 60))
        # Most drafts have no time yet; a post is trashed some time after it was published.
        published = None if kind in "d" + "".join(REVIEW_KINDS) and rng.random() < 0.8 else moment
        trashed = min(moment + timedelta(days=rng.uniform(0.05, 365)), now) if kind == "t" else None
        status = REVIEW_KINDS.get(kind) or (PostState.DRAFT if kind == "d" else PostState.PUBLISHED)
        pinned = kind == "P" or rng.random() < pin_share
        rows.append((created, status, published, trashed, pinned, rng.choices(slugs, weights)[0]))
    rows.sort(key=lambda row: row[0])
    return rows


def bench_posts(count: int, seed: int, channels: dict[str, Channel]) -> Iterator[ImportedPost]:
    """``count`` posts, made lazily (a batch at a time is in memory)."""
    rng = random.Random(seed)
    pools = fragment_pools(rng)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    for created, status, published, trashed, pinned, slug in _skeletons(
        rng, count, now_utc(), zone
    ):
        body_raw, body_html = _body(rng, pools)
        year = (published or created).astimezone(zone).year
        content = PostContent(
            title=_title(rng, slug, year),
            channel_id=channels[slug].id,
            source=rng.choice(ORGS),
            author=rng.choice(AUTHORS) if rng.random() < 0.5 else "",
            keywords=",".join(
                rng.sample(("普法", "法治宣传", "民法典", "依法治理", "法律援助"), 2)
            ),
            summary=_plain(body_raw)[:80] if rng.random() < 0.1 else "",  # mostly derived
            pinned=pinned,
            body_raw=body_raw,
            body_html=body_html,
        )
        yield ImportedPost(content, status, published, created, trashed)


def bench_data(count: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> int:
    """Add ``count`` posts (and the channels, if missing); returns how many were added."""
    channels = ensure_channels(CHANNELS)
    return service.import_posts(bench_posts(count, seed, channels), progress=progress)


@click.command("bench-data")
@click.argument("count", type=click.IntRange(min=1))
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same posts.")
@with_appcontext
def bench_data_command(count: int, seed: int) -> None:
    """Add COUNT realistic posts in six channels, for benchmarks (bench/pages.py)."""
    with click.progressbar(length=count, label="Adding posts") as bar:
        added = bench_data(count, seed, progress=bar.update)
    click.echo(f"{added} post(s) added.")
