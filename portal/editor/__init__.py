"""The editor behind the login: dashboard, the post form, state changes and revisions.

Its views parse requests and render; every write goes through ``portal.posts.service``."""

from portal.editor.views import bp

__all__ = ["bp"]
