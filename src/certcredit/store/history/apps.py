from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "certcredit.store.history"
    label = "history"
    verbose_name = "History"
