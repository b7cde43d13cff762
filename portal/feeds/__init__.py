"""RSS 2.0 and Atom 1.0 feeds of the public posts."""

from portal.feeds.views import bp

__all__ = ["bp"]
