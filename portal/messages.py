"""Chinese text that code (not a template) shows to people: one place for it."""

ERRORS = {
    400: ("请求有误", "您的请求无法处理：参数格式不正确。请检查网址后重试。"),
    403: ("禁止访问", "您没有权限访问此页面。"),
    404: ("页面不存在", "您访问的页面不存在，可能已被删除、撤回或网址有误。"),
    405: ("请求方法不允许", "此页面不支持该请求方法。"),
    413: ("提交内容过大", "您提交的内容超过了允许的大小，请删减后重试。"),
    429: ("请求过于频繁", "登录失败次数过多，请15分钟后再试。"),
    500: ("服务器内部错误", "抱歉，服务器出现了问题，请稍后再试。我们已记录此错误。"),
    503: ("服务暂时不可用", "网站正在维护或访问量过大，请稍后再试。"),
}
CSRF_FAILED = "表单已过期或无效（缺少安全令牌），请刷新页面后重新提交。"

# --- the editor and its login (portal/auth/, portal/editor/) ------------------------------------
LOGIN_REQUIRED = "请先登录后再访问编辑后台。"
LOGIN_FAILED = "用户名或密码错误。"
LOGIN_INACTIVE = "此账号已停用，请联系管理员。"
LOGIN_LOCKED = "登录失败次数过多，请{minutes}分钟后再试。"
LOGGED_IN = "登录成功，欢迎您，{name}。"
LOGGED_OUT = "您已退出登录。"
FIELD_REQUIRED = "请填写此项。"
FIELD_TOO_LONG = "不能超过 {max} 个字符（现在 {length} 个）。"
TITLE_REQUIRED = "请填写标题。"
CHANNEL_UNKNOWN = "请选择一个存在的栏目。"
IMAGE_URL_INVALID = "图片地址应以 https://、http:// 或 / 开头，例如 https://www.example.gov.cn/images/title.jpg 或 /static/images/title.jpg。"
TIME_INVALID = "发布时间格式不正确，请按“年-月-日 时:分”填写，例如 2026-11-26 09:30。"
BODY_EMPTY = "正文不能为空（清理不安全内容后没有剩下文字或图片）。"
IMAGE_ALT_MISSING = (
    '正文中有图片缺少替代文字（alt）：请为每张图片写明内容，供读屏软件朗读；纯装饰图片可写 alt=""。'
)
BODY_TOO_LARGE = "正文过大：{size} 超过上限 {limit}，请删减内容或拆成多篇。"
FORM_HAS_ERRORS = "表单有误，请按提示修改后重新提交。"
REMOVED_UNSAFE = "已移除不安全内容：{items}。"
SAVED_DRAFT = "草稿已保存。"
SAVED_PUBLISHED = "已发布。"
SAVED_SCHEDULED = "已定时发布，将于 {time} 自动公开。"
EDIT_CONFLICT = (
    "保存冲突：这篇文章在您打开之后已被{editor}于 {time} 修改（现为第 {version} 版），"
    "您的内容尚未保存，仍保留在下方表单中。请先查看修订记录核对最新版本；"
    "再次提交将以您的内容覆盖，被覆盖的版本仍保留在修订记录中。"
)
WITHDRAWN = "已撤回为草稿，读者不再能看到。"
TRASHED = "已移到回收站。"
RESTORED_FROM_TRASH = "已从回收站恢复。"
TRASHED_CANNOT_EDIT = "这篇文章在回收站中，请先恢复再编辑。"
DELETE_NEEDS_TRASH = "只能永久删除回收站中的文章，请先移到回收站。"
DELETED_FOREVER = "已永久删除《{title}》。"
REVISION_RESTORED = "已恢复第 {number} 版的内容（保存为新的第 {new} 版）。"

# Feeds (RSS/Atom): the name and description of the site-wide feed and of a channel's feed.
FEED_ALL_NAME = "最新信息"
FEED_ALL_DESCRIPTION = "{site}各栏目最新发布的信息。"
FEED_CHANNEL_DESCRIPTION = "{site}“{channel}”栏目最新发布的信息。"
POST_STATES = {"draft": "草稿", "scheduled": "定时", "published": "已发布", "trash": "回收站"}
REVISION_ACTIONS = {
    "draft": "保存草稿",
    "publish": "发布",
    "withdraw": "撤回",
    "trash": "移到回收站",
    "restore": "从回收站恢复",
    "restore_revision": "恢复旧版本",
}
CHANGED_MEANWHILE = "这篇文章刚刚被他人修改，请刷新后重试。"
