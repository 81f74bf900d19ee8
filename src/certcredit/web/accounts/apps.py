from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "certcredit.web.accounts"
    label = "accounts"
    verbose_name = "People and organizations"
