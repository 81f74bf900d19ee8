from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "certcredit.web.catalog"
    label = "catalog"
    verbose_name = "Programs, sessions and decisions"
