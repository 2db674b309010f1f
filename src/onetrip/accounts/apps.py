from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, **kwargs):
    """After each app's permissions exist, give the role groups theirs (idempotent)."""
    from onetrip.accounts.services import role_groups_sync

    role_groups_sync(using=kwargs.get("using", "default"))


class AccountsConfig(AppConfig):
    name = "onetrip.accounts"
    verbose_name = "账户与角色"

    def ready(self) -> None:
        post_migrate.connect(_sync_role_groups, dispatch_uid="onetrip-role-groups")
