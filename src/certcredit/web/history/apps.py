from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "certcredit.web.history"
    label = "history"
    verbose_name = "History"
