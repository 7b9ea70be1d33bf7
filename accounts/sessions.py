"""Sessions: Django's ``cached_db`` engine, kept in each worker's own memory (the
``readers`` cache) under the readers' generation (``cooperation.generations``).

A signed-in request reads its session before anything else; from the database, that is a
query a request (half of a cached page's time for a signed-in reader, issue 18). Kept in a
worker's memory alone it would outlive a logout made through another worker; keyed by the
readers' generation, which every save and every deletion of a session raises here (a login,
a logout, an import's kept rows), it cannot: the next request in any worker reads the
number, misses, and reads the database. Nothing is kept while the connection holds an
uncommitted change to a reader (``cooperation.readers.keeps``).
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from cooperation import generations, readers


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "unibridge.session:"

    @property
    def cache_key(self):
        number = generations.current().readers
        return f"{self.cache_key_prefix}{number}:{self._get_or_create_session_key()}"

    def load(self):
        if not readers.keeps():
            return DatabaseStore.load(self)
        return super().load()

    def save(self, must_create=False):
        super().save(must_create)
        generations.bump_readers()

    def delete(self, session_key=None):
        super().delete(session_key)
        generations.bump_readers()
