"""Default configuration.

Layers, last wins: these defaults, then ``instance/config.py``, then ``PORTAL_*`` environment
variables (``PORTAL_SITE_NAME=…``; values are parsed as JSON when they look like JSON, so
``PORTAL_POSTS_PER_PAGE=10`` is an int). Every setting is documented in the README.
"""

import re
from urllib.parse import urlsplit

PLACEHOLDER_TAG_AUTHORITY = "portal.invalid,2026"


class DefaultConfig:
    # --- secrets and storage -------------------------------------------------------------------
    SECRET_KEY = None  # generated into instance/config.py on first run when unset
    SQLALCHEMY_DATABASE_URI = None  # None: sqlite file instance/portal.sqlite3
    # pool_pre_ping: a pooled connection is tested before each request uses it, so after a
    # database restart every worker reconnects by itself (the outage's requests get the 503
    # page, the next ones a normal answer). Works for SQLite and PostgreSQL alike; for
    # PostgreSQL add ?connect_timeout=5 to the URL so an unreachable host fails fast too.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # --- the site ------------------------------------------------------------------------------
    SITE_NAME = "普法宣传网"
    SITE_URL = None  # canonical base URL, e.g. "https://pf.example.gov.cn"; None: the request's
    SITE_DOMAIN = None  # <meta name="SiteDomain">; None: the host of SITE_URL or of the request
    SITE_ID_CODE = None  # 网站标识码 (<meta name="SiteIDCode"> and the footer)
    TIMEZONE = "Asia/Shanghai"  # the site zone every time is shown in
    NOTICES_CHANNEL = "notices"  # the channel whose latest posts fill the sidebar
    POSTS_PER_PAGE = 20
    SIDEBAR_NOTICES = 10
    HOME_POSTS_PER_CHANNEL = 8
    SUMMARY_WIDTH = 160  # display width (a CJK character counts 2) of derived summaries

    # --- footer (an unset item is omitted) -------------------------------------------------------
    FOOTER_ORGANIZER = None  # 主办单位
    FOOTER_CONTACT = None  # 联系方式
    FOOTER_ICP_NUMBER = None  # ICP备案编号
    FOOTER_ICP_URL = "https://beian.miit.gov.cn/"
    FOOTER_PSB_NUMBER = None  # 公安机关备案号
    FOOTER_PSB_URL = (
        None  # its link (http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=…)
    )
    FOOTER_GOV_BADGE_URL = None  # 党政机关网站标识 link (the image is static/images/dzjg.svg; replace it with the issued one)
    FOOTER_ERROR_REPORT_URL = None  # 我为政府网站找错

    # --- view counter --------------------------------------------------------------------------
    # User agents that never count as a reader's view (a regular expression, case-insensitive).
    CRAWLER_USER_AGENT_PATTERN = (
        # Robots name themselves "…bot/2.1", "…Bot;" or "…spider"; phones such as "CUBOT X30"
        # and browsers such as "SogouMobileBrowser" must still count. It is matched against
        # request input, so it must run in linear time: no two adjacent repetitions that can
        # match the same characters (``compatible;\s*[^;)]*`` was quadratic on spaces).
        r"[a-z]bot[/;)]|compatible;[^;)]*bot\b|spider|crawler|slurp|facebookexternalhit|"
        r"python-requests|python-urllib|curl/|wget/|go-http-client|java/|okhttp|libwww"
    )

    # --- editor and login ----------------------------------------------------------------------
    # 先审后发 (portal/posts/workflow.py): 0 every account publishes directly; 1 a reviewer
    # approves (审核); 2 初审 then 终审/签发. A channel may set its own (栏目管理).
    REVIEW_STEPS = 1
    BODY_MAX_BYTES = 1024 * 1024  # largest article body the editor form accepts
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024  # whole request; larger gets the 413 page
    # (the editor's forms that upload files take ATTACHMENT_POST_MAX_BYTES more: attachments)
    # One text field of a multipart form (werkzeug's default, 500 kB, is below BODY_MAX_BYTES).
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    # Failed logins per window (portal/auth/loginlimit.py explains the policy; README, security):
    LOGIN_MAX_FAILURES = 5  # per account from one address (or one browser known to the account)
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20  # per address, all accounts together
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 100  # per account, all addresses (known browsers exempt)
    LOGIN_FAILURE_WINDOW = 15 * 60  # seconds
    LOGIN_DEVICE_DAYS = 90  # a browser stays known to the account it logged in to
    RATELIMIT_STORAGE_URI = "database"  # or "redis://127.0.0.1:6379/0"
    RATELIMIT_KEY_PREFIX = "portal:login:"  # Redis keys of the failed-login counter
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # turn on in production behind HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # --- 附件 and images (portal/attachments) ------------------------------------------------------
    ATTACHMENT_FOLDER = None  # where uploaded files are kept; None: instance/uploads/
    ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024  # one file
    ATTACHMENT_POST_MAX_BYTES = 100 * 1024 * 1024  # a post's files together (附件 and images)
    # Behind nginx, the internal location that serves the upload folder (deploy/nginx.conf:
    # "/_uploads/"): the app checks who may have a file, nginx sends it. None: the app sends it.
    ATTACHMENT_ACCEL_REDIRECT = None

    # --- the page cache (portal/cache) ---------------------------------------------------------
    CACHE_REDIS_URL = (
        None  # "redis://127.0.0.1:6379/1": one copy for every server; None: per process
    )
    CACHE_KEY_PREFIX = "portal:page:"
    CACHE_SECONDS = 3600  # how long Redis keeps a page (a change makes it unreachable at once)
    CACHE_MAX_ENTRIES = 2000  # pages kept per process without Redis

    # --- feeds ---------------------------------------------------------------------------------
    FEED_ENTRIES = 20
    FEED_MAX_AGE = 300  # Cache-Control max-age of feeds, seconds
    # tag: URI authority (RFC 4151: a domain you own, and a date) of ids that never change; set it
    # once per site before the first subscriber arrives: changing it later changes every id.
    FEED_TAG_AUTHORITY = PLACEHOLDER_TAG_AUTHORITY

    # --- deployment ----------------------------------------------------------------------------
    # Behind N trusted reverse proxies, take the client address (login lockout) and scheme from
    # their X-Forwarded-For / X-Forwarded-Proto headers; 0 trusts no such header.
    PROXY_FIX_X_FOR = 0

    # --- security headers ----------------------------------------------------------------------
    HSTS_SECONDS = 0  # >0 sends Strict-Transport-Security (only behind HTTPS)


def check(config) -> list[str]:
    """Refuse settings that would silently publish broken links or ids; return warnings."""
    site_url = config["SITE_URL"]
    if site_url:
        parts = urlsplit(site_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"SITE_URL must be an absolute http(s) URL, not {site_url!r}")
    for name in (
        "FEED_ENTRIES",
        "POSTS_PER_PAGE",
        "SIDEBAR_NOTICES",
        "HOME_POSTS_PER_CHANNEL",
        "ATTACHMENT_MAX_BYTES",
        "ATTACHMENT_POST_MAX_BYTES",
    ):
        value = config[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    if config["REVIEW_STEPS"] not in (0, 1, 2) or isinstance(config["REVIEW_STEPS"], bool):
        raise ValueError(f"REVIEW_STEPS must be 0, 1 or 2, not {config['REVIEW_STEPS']!r}")
    authority = config["FEED_TAG_AUTHORITY"]
    if not re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,},\d{4}(-\d{2}(-\d{2})?)?", authority):
        raise ValueError(f"FEED_TAG_AUTHORITY must look like 'example.gov.cn,2026': {authority!r}")
    warnings = []
    if site_url and authority == PLACEHOLDER_TAG_AUTHORITY:
        warnings.append(
            "FEED_TAG_AUTHORITY is still the placeholder: set it to your domain and a year "
            "(e.g. 'pf.example.gov.cn,2026') before anyone subscribes; changing it later "
            "changes every feed entry id"
        )
    return warnings
