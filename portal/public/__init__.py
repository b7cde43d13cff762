"""The reader's side: home, channel lists, articles, sitemap, robots, health."""

from portal.public.views import bp

__all__ = ["bp"]
