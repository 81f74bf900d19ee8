from django.apps import AppConfig


class StandingsConfig(AppConfig):
    name = "certcredit.store.standings"
    label = "standings"
    verbose_name = "Standings (the staff dashboard's summary)"

    def ready(self) -> None:
        from certcredit.store.standings import signals

        signals.connect()
