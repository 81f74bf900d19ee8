from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "certcredit.store.accounts"
    label = "accounts"
    verbose_name = "People and organizations"
