"""One URL per page: a number in a path or in ``?page=`` is ASCII digits without a leading
zero, nothing else. ``/notices/01.html``, ``/notices/١.html`` (an Arabic-Indic digit) or
``/editor/posts/１/edit`` are not the page of post 1 under another URL: they are 404s. Checked on
every route of the app that has a number in its path, found by reading the URL map, so a new
route is covered the day it is added."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from support import write_post

# <id:post_id>, <int:chunk>: the converters of numbers in a path (the app maps both to one).
NUMBER = re.compile(r"<(id|int):(\w+)>")
ANY_ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
DIGITS = "0123456789"
# Other ways to write the digits that str.isdigit() or int() accept.
OTHER_DIGITS = {
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "extended-arabic-indic": "۰۱۲۳۴۵۶۷۸۹",
    "devanagari": "०१२३४५६७८९",
    "fullwidth": "０１２３４５６７８９",
    "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹",
}
INTEGER_MAX = 2**31 - 1  # the database's INTEGER columns (PostgreSQL's is 32-bit)


def other_spellings(number: int) -> dict[str, str]:
    """Every way to write ``number`` (or a number past the columns) that must match no page."""
    digits = str(number)
    spellings = {
        "leading-zero": f"0{digits}",
        "leading-zeros": f"000{digits}",
        "plus": f"+{digits}",
        "minus": f"-{digits}",
        "space": f" {digits}",
        "decimal": f"{digits}.0",
        "zero": "0",
        "past-integer": str(INTEGER_MAX + 1),
        "twenty-digits": "9" * 20,
        "thousand-digits": "9" * 1000,
    }
    for name, alphabet in OTHER_DIGITS.items():
        spellings[name] = digits.translate(str.maketrans(DIGITS, alphabet))
        spellings[f"{name}-mixed"] = digits[:-1] + alphabet[int(digits[-1])]
    return spellings


def path_of(rule: str, values: dict[str, str]) -> str:
    """``rule`` ("/<slug>/<id:post_id>.html") with each argument replaced by its value, as a
    browser would send it (percent-encoded)."""
    return ANY_ARGUMENT.sub(lambda match: quote(values[match.group(1)], safe=""), rule)


@pytest.fixture
def numbered(admin_client, make_channel, make_post, make_editor):
    """A post with a two-digit id and a revision (written in the editor), and the values of
    every argument of the numbered routes."""
    channel = make_channel("notices", name="信息公告")
    account = make_editor("another")
    for count in range(11):
        make_post(title=f"旧公告{count}")
    saved = write_post(admin_client, channel, title="第十二篇")
    post_id = int(saved.headers["Location"].split("/")[3])
    assert post_id >= 10, post_id  # two digits: each one is spelled otherwise below
    return {
        "slug": "notices",
        "post_id": str(post_id),
        "number": "1",
        "chunk": "1",
        "channel_id": str(channel.id),
        "user_id": str(account.id),
    }


def test_every_number_in_a_path_has_one_spelling(app, admin_client, numbered):
    rules = [rule for rule in app.url_map.iter_rules() if NUMBER.search(rule.rule)]
    endpoints = {rule.endpoint for rule in rules}
    assert {"public.article", "public.sitemap_posts", "editor.edit_post"} <= endpoints
    assert {"editor.revision", "editor.restore_revision", "editor.trash"} <= endpoints
    routes = app.url_map.bind("localhost")
    wrong = []
    for rule in rules:
        for argument in ANY_ARGUMENT.findall(rule.rule):
            assert argument in numbered, f"{rule.rule}: give the test a value for {argument}"
        method = "GET" if "GET" in rule.methods else "POST"
        # The canonical spelling is this rule's, with the number as its argument (whether
        # the page then exists for these rows is each view's business, tested with it).
        endpoint, arguments = routes.match(path_of(rule.rule, numbered), method=method)
        assert endpoint == rule.endpoint, (rule.rule, endpoint)
        for _converter, argument in NUMBER.findall(rule.rule):
            assert arguments[argument] == int(numbered[argument]), rule.rule
            number = int(numbered[argument])
            for name, spelling in other_spellings(number).items():
                path = path_of(rule.rule, numbered | {argument: spelling})
                # Sent as the route expects (POST: no token needed to be refused as unknown);
                # a one-segment path may first be sent on to /…/, the channel rule's form.
                response = admin_client.open(path, method=method, follow_redirects=True)
                if response.status_code != 404 or "页面不存在" not in response.get_data(
                    as_text=True
                ):
                    wrong.append((rule.endpoint, name, path[:80], response.status_code))
    assert wrong == []


def test_the_examples_of_the_review(client, admin_client, numbered):
    post_id = numbered["post_id"]
    arabic = post_id.translate(str.maketrans(DIGITS, OTHER_DIGITS["arabic-indic"]))
    assert client.get(f"/notices/{post_id}.html").status_code == 200
    assert client.get(f"/notices/0{post_id}.html").status_code == 404
    assert client.get(f"/notices/{quote(arabic)}.html").status_code == 404
    assert admin_client.get(f"/editor/posts/{post_id}/edit").status_code == 200
    assert admin_client.get(f"/editor/posts/{quote(arabic)}/edit").status_code == 404


def test_ids_past_the_database_columns_are_not_found(admin_client, numbered):
    """A number past the INTEGER columns is a 404 before any query (PostgreSQL would refuse
    it: a 500)."""
    for path in (
        f"/notices/{INTEGER_MAX + 1}.html",
        f"/editor/posts/{INTEGER_MAX + 1}/edit",
        f"/editor/posts/{numbered['post_id']}/revisions/{INTEGER_MAX + 1}",
    ):
        assert admin_client.get(path).status_code == 404, path
    assert admin_client.get(f"/notices/{INTEGER_MAX}.html").status_code == 404  # just no post


@pytest.mark.parametrize("value", ["01", "001", "+1", " 1", "1 ", "٢", "0x1", "²", "2.0"])
@pytest.mark.parametrize("path", ["/notices/", "/editor/"])
def test_a_page_number_has_one_spelling(admin_client, make_post, path, value):
    make_post()
    assert admin_client.get(f"{path}?page=1").status_code == 200
    response = admin_client.get(path, query_string={"page": value})
    assert response.status_code == 400, (path, value)
    assert "请求有误" in response.get_data(as_text=True)


def test_a_page_number_past_any_list_is_not_found(admin_client, make_post):
    make_post()
    for path in ("/notices/", "/editor/"):
        assert admin_client.get(f"{path}?page=2").status_code == 404
        assert admin_client.get(f"{path}?page={'9' * 30}").status_code == 404
