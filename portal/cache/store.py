"""Where rendered pages are kept: Redis (shared by every server) or this process's memory."""

from __future__ import annotations

import contextlib
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import redis


@dataclass(frozen=True)
class Page:
    """A kept response, as Flask finished it (security headers and all)."""

    status: str  # "200 OK"
    headers: list[tuple[str, str]]  # without Content-Length (the front sets it)
    body: bytes
    counted_post: int | None  # an article: its live view count replaces the count marker
    etag: str | None  # the validators a conditional GET is answered from
    last_modified: datetime | None


class Store(Protocol):
    def get(self, key: str) -> Page | None: ...
    def set(self, key: str, entry: Page) -> None: ...


class LocalStore:
    """A bounded LRU in this process; entries of old generations simply age out."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[str, Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Page | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def set(self, key: str, entry: Page) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class RedisStore:
    """One copy for every server; entries expire (old generations are never read again)."""

    def __init__(self, url: str, prefix: str, seconds: int):
        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self.seconds = seconds

    def get(self, key: str) -> Page | None:
        try:
            raw = self.client.get(self.prefix + key)
        except redis.RedisError:
            return None  # a cache that is down is a cache that misses
        return pickle.loads(raw) if isinstance(raw, bytes) else None  # only our own entries

    def set(self, key: str, entry: Page) -> None:
        with contextlib.suppress(redis.RedisError):
            self.client.set(self.prefix + key, pickle.dumps(entry), ex=self.seconds)


def make(config: Any) -> Store:
    if config["CACHE_REDIS_URL"]:
        return RedisStore(
            config["CACHE_REDIS_URL"], config["CACHE_KEY_PREFIX"], config["CACHE_SECONDS"]
        )
    return LocalStore(config["CACHE_MAX_ENTRIES"])
