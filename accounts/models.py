"""No models of its own: user accounts are Django's, roles are its groups.

The module exists so that Django sends ``accounts`` the ``post_migrate`` signal (it skips
apps without a models module), on which the role groups are brought in step with every
permission after each ``migrate`` (``accounts.services.roles_sync_after_migrate``).
"""
