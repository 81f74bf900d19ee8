"""URL routes: the web app at ``/`` and the REST API under ``/api/``."""

urlpatterns: list[object] = []
