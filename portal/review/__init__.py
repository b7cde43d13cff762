"""先审后发 for reviewers: the 待我审核 queue and each post's review page (``views``), with the
diff of the submitted text against the live one (``diff``). The rules and the steps are the
posts package's (``posts.workflow``, ``posts.service``)."""

from __future__ import annotations

from portal.review.views import bp

__all__ = ["bp"]
