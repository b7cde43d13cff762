"""Demo content, made from the text scraped from the site this portal replaces.

``legacy-page.txt`` is that scrape, shipped in the package so ``make run`` works anywhere. Its
flaws are repaired here and nowhere else: sidebar titles the old site cut mid-word are completed
only where the ending is evident (otherwise they keep a visible "…"), the empty view count is
dropped, and the article's repeated date line and body appear once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

from markupsafe import escape

SOURCE_ZONE = ZoneInfo("Asia/Shanghai")  # the old site's times were Beijing time

# Endings the old site cut off, and the only completion each can have.
EVIDENT_ENDINGS = {
    "的通": "的通知",
    "学法清": "学法清单",
    "评选工": "评选工作",
    "市司": "市司法局",
    "示范村(": "示范村(社区)",
}
COMPLETE_ENDINGS = ("通知", "通报", "公告", "意见", "办法", "方案")

# The scrape has no dates for the notices. These keep the old sidebar's newest-first order and
# fall in the years the titles name; undated titles sit between their neighbours.
NOTICE_DATES = [
    "2024-04-26 09:00", "2024-03-15 09:00", "2024-03-01 09:00", "2024-01-18 09:00",
    "2024-01-05 09:00", "2023-12-12 09:00", "2023-05-06 09:00", "2023-03-10 09:00",
    "2023-02-20 09:00", "2023-01-16 09:00", "2022-12-27 09:00", "2022-11-18 09:00",
    "2022-09-15 09:00", "2022-06-10 09:00", "2022-03-09 09:00",
]  # fmt: skip

CHANNELS = [
    # slug, name, column type, description, keywords
    ("notices", "信息公告", "通知公告", "普法工作通知、公告与文件。", "通知,公告,普法"),
    ("news", "普法动态", "工作动态", "全市普法与依法治理工作动态。", "普法,动态,法治宣传"),
]
ARTICLE_SOURCE = "武汉市人民检察院"


@dataclass(frozen=True)
class DemoPost:
    channel: str
    title: str
    published_at: datetime  # aware
    body_html: str = ""
    source: str = ""


def complete_title(cut: str) -> str:
    """Complete a title cut by the old site where its ending is evident, else mark the cut."""
    title = cut.strip()
    if title.endswith(COMPLETE_ENDINGS):
        return title
    for ending, completion in EVIDENT_ENDINGS.items():
        if title.endswith(ending):
            title = title[: -len(ending)] + completion
            break
    return title if title.endswith(COMPLETE_ENDINGS) else title + "…"


def _site_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SOURCE_ZONE)


def parse_legacy(text: str) -> list[DemoPost]:
    """The 15 sidebar notices (in the old order, newest first) and the one article."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    cut_titles = [line.lstrip("- ·").strip() for line in lines if line.startswith("- ·")]
    if len(cut_titles) != len(NOTICE_DATES):
        raise ValueError(f"expected {len(NOTICE_DATES)} notices, found {len(cut_titles)}")
    posts = [
        DemoPost("notices", complete_title(cut), _site_time(date))
        for cut, date in zip(cut_titles, NOTICE_DATES, strict=True)
    ]

    rest = [line for line in lines if not line.startswith(("- ·", "更多>>"))]
    title, body_lines = rest[0], rest[1:]
    date_line = re.compile(r"发布时间[:：]\s*(\d{4}-\d{2}-\d{2} \d{2}:\d{2})")
    published = next(match for match in map(date_line.search, body_lines) if match)
    paragraphs: list[str] = []
    for line in body_lines:
        if not date_line.search(line) and line not in paragraphs:  # drop exact repeats
            paragraphs.append(line)
    body = "\n".join(f'<p class="indent-2em">{escape(p)}</p>' for p in paragraphs)
    posts.append(
        DemoPost("news", title, _site_time(published.group(1)), body, source=ARTICLE_SOURCE)
    )
    return posts


def demo_posts() -> list[DemoPost]:
    text = resources.files(__package__).joinpath("legacy-page.txt").read_text(encoding="utf-8")
    return parse_legacy(text)
