from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "certcredit.store.records"
    label = "records"
    verbose_name = "Records and imports"
