"""Login and logout for editors, with the failed-login lockout shared by every worker."""

from portal.auth.views import bp

__all__ = ["bp"]
