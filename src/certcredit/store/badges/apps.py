from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "certcredit.store.badges"
    label = "badges"
    verbose_name = "Open Badges: signing keys and issued badges"
