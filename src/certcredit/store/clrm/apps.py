from django.apps import AppConfig


class ClrmConfig(AppConfig):
    name = "certcredit.store.clrm"
    label = "clrm"
    verbose_name = "CLRM candidates"
