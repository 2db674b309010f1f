from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, **kwargs):
    from onetrip.accounts.services import role_groups_sync

    role_groups_sync()


class AccountsConfig(AppConfig):
    name = "onetrip.accounts"
    verbose_name = "账户与角色"

    def ready(self) -> None:
        post_migrate.connect(_sync_role_groups, sender=self)
