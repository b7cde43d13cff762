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
CURRENT_PASSWORD_WRONG = "当前密码不正确。"
PASSWORD_LENGTH = "新密码应为 {min} 至 {max} 个字符。"
PASSWORDS_DIFFER = "两次输入的新密码不一致。"
PASSWORD_CHANGED = "密码已修改。您在其他浏览器或设备上的登录已全部退出。"
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
BODY_TOO_DEEP = "正文的标签嵌套过深（超过 {limit} 层），无法安全处理：请检查是否有大量未闭合的标签，或粘贴为纯文本后重新排版。"
REVISION_TOO_DEEP = "第 {number} 版的正文标签嵌套过深（超过 {limit} 层），按现行规则无法恢复，文章未作改动：请打开该版本复制其文字，粘贴为纯文本后重新排版。"
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
# A save that cannot be applied: the form comes back with everything as typed (portal/editor/).
NOT_SAVED_TRASHED = (
    "这篇文章已被移到回收站，您的修改尚未保存，仍保留在下方表单中。"
    "可以点“另存为新草稿”把它保存为一篇新文章；若要保存到这篇文章，请先复制内容，再从回收站恢复它。"
)
NOT_SAVED_DELETED = (
    "这篇文章已被永久删除，您的内容尚未保存，仍保留在下方表单中；提交后将保存为一篇新文章。"
)
NOT_SAVED_LOGGED_OUT = (
    "您已退出登录或登录已过期，内容尚未保存，仍保留在下方表单中，本机浏览器也已暂存。"
    "请在新窗口中重新登录：登录后打开这个编辑页面，暂存的内容会自动恢复。"
)
NOT_SAVED_CSRF = "表单已过期（安全令牌失效），内容尚未保存，仍保留在下方表单中。请核对后再次提交。"
VERSION_INVALID = "表单中的版本号无效，无法确认您编辑的是哪一版：请重新打开编辑页面后再提交（您的内容仍保留在下方）。"
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
POST_STATES = {
    "draft": "草稿",
    "submitted": "待审核",
    "signoff": "待签发",
    "returned": "已退回",
    "scheduled": "定时",
    "published": "已发布",
    "trash": "回收站",
}
REVISION_ACTIONS = {
    "draft": "保存草稿",
    "publish": "发布",
    "withdraw": "撤回",
    "trash": "移到回收站",
    "restore": "从回收站恢复",
    "restore_revision": "恢复旧版本",
    "submit": "提交审核",
    "approve": "审核通过",
    "return": "退回修改",
    "move": "移到其他栏目",
}
CHANGED_MEANWHILE = "这篇文章刚刚被他人修改，请刷新后重试。"

# Site search (portal/search/): what the search page says about the query and its filters.
SEARCH_TOO_LONG = "搜索词过长：最多 {max} 个字符（现在 {length} 个），请精简后重试。"
SEARCH_CHANNEL_UNKNOWN = "没有这个栏目，请从列表中选择。"
SEARCH_DATE_INVALID = "日期格式不正确，请按“年-月-日”填写，例如 2024-03-15。"
SEARCH_DATE_RANGE = "日期应在 {first} 至 {last} 年之间。"
SEARCH_DATES_REVERSED = "开始日期不能晚于结束日期。"
SEARCH_SORT_UNKNOWN = "排序方式只能是“按相关度”或“按时间”。"
SEARCH_SORTS = {"relevance": "按相关度", "newest": "按时间（最新在前）"}

# --- 栏目管理, accounts and roles, 先审后发, 操作日志 (portal/admin/, portal/review/, portal/audit/) ---
ROLES = {"author": "撰稿", "reviewer": "审核", "admin": "管理员"}
ROLE_HINTS = {
    "author": "撰写文章并提交审核，不能直接发布。",
    "reviewer": "编辑、审核通过、退回；本人保存即视为审核通过并发布。可限定栏目。",
    "admin": "全部权限，包括栏目、账号和操作日志。",
}
ADMIN_ONLY = "只有管理员可以管理栏目、账号和操作日志。"
FORBIDDEN_ROLE = "您的账号（{role}）不能{what}。如需此权限，请联系管理员。"
FORBIDDEN_WHAT = {
    "edit": "编辑这篇文章（撰稿人只能编辑本人的文章）",
    "publish": "在这个栏目直接发布：请点“提交审核”，审核通过后才会公开",
    "withdraw": "撤回已发布的文章",
    "trash": "把已发布的文章移到回收站",
    "restore": "恢复这篇文章",
    "restore_revision": "恢复已发布文章的旧版本",
    "delete": "永久删除文章",
    "review": "审核这篇文章",
    "approve": "对这篇文章再次审核：初审与终审（签发）须由两人分别完成",
}
MUST_CHANGE_PASSWORD = "这是管理员为您设置的初始密码，请先修改密码后再使用编辑后台。"
SUBMITTED = "已提交审核，审核通过后才会公开。"
EDIT_PENDING = "修改已保存为待审核的修改稿：审核通过前，读者看到的仍是原来的内容。"
EDIT_PENDING_DRAFT = "修改稿已保存（尚未提交审核）：读者看到的仍是原来的内容。"
APPROVED_TO_SIGNOFF = "初审通过，等待终审（签发）。"
APPROVED_PUBLISHED = "审核通过，已发布。"
APPROVED_SCHEDULED = "审核通过，将于 {time} 自动公开。"
APPROVED_EDIT = "审核通过，修改已替换线上内容。"
RETURNED = "已退回，撰稿人会在文章列表和编辑页看到您的意见。"
RETURN_COMMENT_REQUIRED = "退回时必须填写意见，告诉撰稿人要修改什么。"
NOTHING_TO_REVIEW = "这篇文章目前没有待审核的内容。"
REVIEW_CHANGED = "待审核的内容刚刚有了变化（被修改、撤回或已由他人审核），请查看最新内容后再审核。"
COMMENT_TOO_LONG = "意见不能超过 {max} 个字符（现在 {length} 个）。"

CHANNEL_NAME_REQUIRED = "请填写栏目名称。"
CHANNEL_SLUG_INVALID = "栏目地址只能用英文字母、数字和连字符“-”，例如 notices、work-news。"
CHANNEL_SLUG_RESERVED = "“{slug}”是网站保留的地址，请换一个。"
CHANNEL_SLUG_TAKEN = "已有栏目使用地址“{slug}”，请换一个。"
CHANNEL_TYPE_UNKNOWN = "请从列表中选择栏目类别。"
NUMBER_INVALID = "请填写 {min} 到 {max} 之间的整数（不填：{default}）。"
REVIEW_STEPS_UNKNOWN = "审核级数只能是“按全站设置”、0、1 或 2。"
CHANNEL_CREATED = "栏目“{name}”已创建。"
CHANNEL_SAVED = "栏目“{name}”已保存。"
CHANNEL_SLUG_MOVED = "栏目地址已由 /{old}/ 改为 /{new}/，旧地址会自动跳转到新地址。"
CHANNEL_HIDDEN = "栏目“{name}”已隐藏：不再出现在导航和首页，已有页面仍可访问。"
CHANNEL_SHOWN = "栏目“{name}”已在导航和首页显示。"
CHANNEL_DELETED = "栏目“{name}”已删除。"
CHANNEL_MOVED_AND_DELETED = (
    "已把 {count} 篇文章移到“{target}”，并删除栏目“{name}”；其旧地址跳转到“{target}”。"
)
CHANNEL_DELETE_TARGET = "请选择另一个栏目来接收这些文章。"
CHANNEL_DELETE_CONFIRM = "请勾选确认：这些文章将全部移到所选栏目。"
CHANNEL_COUNT_CHANGED = "栏目中的文章数刚刚有了变化（现在 {count} 篇），请重新确认。"
CHANNEL_NONE_LEFT = "这是唯一的栏目，不能删除；可以先新建一个栏目。"

USERNAME_INVALID = "用户名为 1 到 64 个字符，只能用英文字母、数字和 . _ -。"
USERNAME_TAKEN = "用户名“{username}”已被使用。"
ROLE_UNKNOWN = "请选择一种角色。"
REVIEW_CHANNELS_UNKNOWN = "请只选择列表中的栏目。"
ACCOUNT_CREATED = "账号“{username}”已创建。"
ACCOUNT_SAVED = "账号“{username}”已保存。"
ACCOUNT_DEACTIVATED = "账号“{username}”已停用，其所有登录已退出。"
ACCOUNT_ACTIVATED = "账号“{username}”已启用。"
ACCOUNT_LOGGED_OUT = "账号“{username}”在所有浏览器和设备上的登录已全部退出。"
LAST_ADMIN = "不能这样做：这是最后一个可用的管理员账号，网站需要至少一个管理员。"

AUDIT_ACTIONS = {
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "login_locked": "登录被暂时锁定",
    "password": "修改本人密码",
    "post.draft": "保存草稿",
    "post.publish": "发布",
    "post.submit": "提交审核",
    "post.approve": "审核通过",
    "post.return": "退回修改",
    "post.withdraw": "撤回",
    "post.trash": "移到回收站",
    "post.restore": "从回收站恢复",
    "post.restore_revision": "恢复旧版本",
    "post.delete": "永久删除",
    "post.move": "移到其他栏目",
    "post.import": "批量导入",
    "channel.create": "新建栏目",
    "channel.edit": "修改栏目",
    "channel.reorder": "调整栏目顺序",
    "channel.hide": "隐藏栏目",
    "channel.show": "显示栏目",
    "channel.delete": "删除栏目",
    "account.create": "新建账号",
    "account.edit": "修改账号",
    "account.deactivate": "停用账号",
    "account.activate": "启用账号",
    "account.logout": "退出其全部登录",
    "account.password": "重设初始密码",
}
AUDIT_DATE_INVALID = "日期格式不正确，请按“年-月-日”填写，例如 2026-11-26。"
AUDIT_DATES_REVERSED = "开始日期不能晚于结束日期。"
AUDIT_FILTER_UNKNOWN = "请从列表中选择。"
AUDIT_SYSTEM = "命令行"

# 附件 and images (portal/attachments/): why an upload was refused, and what the editor sees.
ATTACHMENT_KINDS = "PDF、Word（DOC/DOCX）、Excel（XLS/XLSX）、PowerPoint（PPT/PPTX）、WPS（WPS/ET/DPS）、ODF（ODT/ODS/ODP）、TXT、ZIP、RAR、7Z，以及 JPG、PNG、GIF、WebP 图片"
ATTACHMENT_EMPTY = "“{name}”是空文件（0 字节），未上传。"
ATTACHMENT_NAME_MISSING = "有一个文件没有文件名，未上传。"
ATTACHMENT_TOO_LARGE = "“{name}”过大：超过每个文件的上限 {limit}，未上传。"
ATTACHMENT_POST_TOO_LARGE = (
    "附件和正文图片合计 {size}，超过每篇文章的上限 {limit}：“{name}”未上传。"
)
ATTACHMENT_EXECUTABLE = "“{name}”是可执行程序或脚本，不能上传。"
ATTACHMENT_MARKUP = "“{name}”是网页（HTML）、SVG 或 XML 文件，可能含有脚本，不能上传。"
ATTACHMENT_MACROS = (
    "“{name}”含有宏（VBA 代码），不能上传；请另存为不含宏的格式（如 .docx、.xlsx）后再上传。"
)
ATTACHMENT_CORRUPT = "“{name}”已损坏或不完整，无法识别，未上传。"
ATTACHMENT_UNKNOWN = "无法识别“{name}”的文件类型，未上传。可以上传：" + ATTACHMENT_KINDS + "。"
ATTACHMENT_MISMATCH = "“{name}”的内容是{label}，与扩展名不符（应为 {extensions}），未上传。请核对文件后改正扩展名再上传。"
ATTACHMENT_IMAGE_TOO_LARGE = "“{name}”的像素过多，未上传：请缩小图片后再上传。"
ATTACHMENT_NOT_IMAGE = "“{name}”不是图片：正文中只能插入 JPG、PNG、GIF、WebP 图片。"
ATTACHMENT_GONE = "附件“{name}”已不存在（可能已被清理），已从列表中去掉，请重新上传。"
ATTACHMENT_NAME_INVALID = "附件名“{name}”无效：文件名须保留原来的扩展名。"
ATTACHMENTS_NOT_SAVED = "附件有误，文章尚未保存：其余内容仍保留在下方表单中，已上传的文件也已保留。"
UPLOAD_NEEDS_LOGIN = "请先登录后再上传。"
UPLOAD_NO_FILE = "请选择要上传的图片。"
