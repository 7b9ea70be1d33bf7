"""The authentication backend: Django's ``ModelBackend``, with the user and their
permissions read once per change of readers rather than once per request
(``cooperation.readers``)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from cooperation import readers


class ReaderBackend(ModelBackend):
    def get_user(self, user_id):
        return readers.kept("user", user_id, lambda: super(ReaderBackend, self).get_user(user_id))

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(readers.access(user_obj).permissions)
