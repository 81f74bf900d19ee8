"""Fixtures for tests that touch the store: people with roles and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from certcredit.cli import _register, app


@pytest.fixture
def make_person(db: None) -> Callable[..., object]:
    from certcredit.services.people import ensure_person

    def make(email: str, *roles: str, password: str = "a-long-test-password") -> object:
        person, _created = ensure_person(email, email.split("@")[0].title(), password, roles or ("member",))
        return person

    return make


@pytest.fixture
def cli() -> Callable[..., object]:
    """Run ``certcredit ARGS`` in-process (same database connection as the test)."""
    _register()
    runner = CliRunner()

    def run(*args: str) -> object:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return run


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Real hashing costs ~0.3 s a person; the tests check who may do what, not the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_media_folder(settings, tmp_path_factory) -> None:
    """Uploaded files (evidence, library papers, the demo's papers) go to a folder of the test's own, not var/."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
