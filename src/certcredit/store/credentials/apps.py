from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "certcredit.store.credentials"
    label = "credentials"
    verbose_name = "Credentials and applications"
