from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "onetrip.supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        from onetrip.audit.selectors import digest_check_register
        from onetrip.supervision.services import card_batches_verify

        digest_check_register(card_batches_verify)
