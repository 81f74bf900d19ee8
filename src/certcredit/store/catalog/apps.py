from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "certcredit.store.catalog"
    label = "catalog"
    verbose_name = "Programs, sessions and decisions"
