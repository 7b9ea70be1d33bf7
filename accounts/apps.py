from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Roles (groups), their permissions, the recent-changes page."""

    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from .services import roles_sync_after_migrate

        # After every migrate (and every test flush) the groups follow the models that
        # exist then, so a model added later is covered without another data migration.
        post_migrate.connect(roles_sync_after_migrate, sender=self)
