"""Sessions: in the database, kept in each worker's own memory (the ``readers`` cache)
under the sessions' generation (``cooperation.generations``).

A signed-in request reads its session before anything else; from the database, that is a
query a request (half of a cached page's time for a signed-in reader, issue 18). Kept in a
worker's memory alone it would outlive a logout made through another worker; keyed by the
sessions' generation, which every save and every deletion of a session raises here (a
login, a logout, an import's kept rows), it cannot: the next request in any worker reads
the number, misses, and reads the database. A session is kept at most
``UNIBRIDGE_PAGE_CACHE_SECONDS`` (sessions deleted past this class, by
``Session.objects…delete()`` or SQL, end within that time), never outside a request nor
while the connection holds an uncommitted change to a reader
(``cooperation.readers.keeps``).

Django's ``cached_db`` engine keeps sessions in a cache too, but under their key alone:
right only with one cache shared by every worker.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.cache import caches

from cooperation import generations, readers


class SessionStore(DatabaseStore):
    def _kept_key(self, session_key: str) -> str:
        return f"unibridge.session:{generations.current().sessions}:{session_key}"

    def load(self):
        if not readers.keeps():
            return super().load()
        store = caches[settings.SESSION_CACHE_ALIAS]
        key = self._kept_key(self.session_key)
        data = store.get(key)
        if data is None:
            session = self._get_session_from_db()
            if not session:
                return {}
            data = self.decode(session.session_data)
            age = self.get_expiry_age(expiry=session.expire_date)
            store.set(key, data, min(age, settings.UNIBRIDGE_PAGE_CACHE_SECONDS))
        return data

    def save(self, must_create=False):
        super().save(must_create)
        generations.bump_sessions()

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is None:
            return
        deleted, _ = self.model.objects.filter(session_key=session_key).delete()
        caches[settings.SESSION_CACHE_ALIAS].delete(self._kept_key(session_key))
        if deleted:  # a logout of no session (anyone may ask) raises nothing
            generations.bump_sessions()
