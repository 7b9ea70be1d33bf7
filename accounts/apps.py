from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Roles (groups), their permissions, the recent-changes page."""

    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from . import signals  # connects the account rules
        from .services import roles_sync_after_migrate

        signals.connect_readers_generation()

        # After every migrate (and every test flush) the groups follow the models that
        # exist then, so a model added later is covered without another data migration.
        # Django sends post_migrate only to apps with a models module: accounts has one
        # (empty) for that reason.
        post_migrate.connect(
            roles_sync_after_migrate, sender=self, dispatch_uid="accounts_roles_sync"
        )
