from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "certcredit.store.library"
    label = "library"
    verbose_name = "CLRM library and membership"
