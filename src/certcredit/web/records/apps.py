from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "certcredit.web.records"
    label = "records"
    verbose_name = "Records and imports"
