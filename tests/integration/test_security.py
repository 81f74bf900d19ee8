"""Web security: sign-in throttling (django-axes), password rules, the secret key outside development, the
headers every answer carries, and ``check --deploy`` with the production settings docs/deploy.md gives."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

pytestmark = [pytest.mark.store, pytest.mark.django_db]

BIN = Path(sys.executable).parent
PASSWORD = "a-long-test-password"


def sign_in(client: Client, email: str, password: str, address: str = "192.0.2.10"):
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def member(make_person):
    return make_person("mo@example.org", password=PASSWORD)


def test_five_wrong_passwords_pause_the_account_even_for_the_right_one_with_a_clear_message(
    client: Client, member
) -> None:
    for _ in range(4):
        assert sign_in(client, "mo@example.org", "wrong-guess").status_code == 200  # the form again, with an error
    locked = sign_in(client, "MO@example.org", "wrong-guess", address="198.51.100.7")  # any case, any address
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account or from this address" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    right = sign_in(client, "mo@example.org", PASSWORD, address="203.0.113.9")
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_five_failures_from_one_address_pause_sign_ins_from_it_for_every_account(
    client: Client, member, make_person
) -> None:
    for number in range(5):
        sign_in(client, f"guess{number}@example.org", "wrong-guess", address="192.0.2.66")
    assert sign_in(client, "mo@example.org", PASSWORD, address="192.0.2.66").status_code == 429
    elsewhere = sign_in(client, "mo@example.org", PASSWORD, address="192.0.2.67")
    assert elsewhere.status_code == 302 and elsewhere["Location"] == "/"


def test_a_successful_sign_in_clears_the_accounts_failures(client: Client, member) -> None:
    for _ in range(4):
        sign_in(client, "mo@example.org", "wrong-guess", address="192.0.2.1")
    assert sign_in(client, "mo@example.org", PASSWORD, address="192.0.2.2").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "mo@example.org", "wrong-guess", address="192.0.2.3")
    assert sign_in(client, "mo@example.org", PASSWORD, address="192.0.2.4").status_code == 302


def test_behind_a_proxy_the_address_the_proxy_saw_is_counted_not_the_clients_claim(settings, member) -> None:
    from django.test import RequestFactory

    from certcredit.web.throttle import client_ip

    settings.CERTCREDIT_PROXIES = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.50", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "192.0.2.50"
    settings.CERTCREDIT_PROXIES = 0
    assert client_ip(request) == "127.0.0.1"


@pytest.mark.parametrize("weak", ["password", "12345678901", "short1!", "mo@example.org"])
def test_weak_passwords_are_refused(member, weak: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak, member)
    validate_password(secrets.token_urlsafe(12), member)


def test_every_page_carries_a_content_security_policy_and_no_sniffing(client: Client) -> None:
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"


# --- outside development, in subprocesses (settings are read once per process) ---------------------------------


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """docs/deploy.md's production settings (and none of development's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTCREDIT_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="certcredit.web.settings",
        CERTCREDIT_VAR=str(tmp_path / "var"),
        CERTCREDIT_SECRET_KEY=secrets.token_urlsafe(50),
        CERTCREDIT_HTTPS="1",
        CERTCREDIT_ALLOWED_HOSTS="certcredit.example.org",
    )
    env.update(extra)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    done = check_deploy(production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_flags_a_server_without_tls_settings_or_its_own_key(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["CERTCREDIT_HTTPS"], env["CERTCREDIT_SECRET_KEY"]
    done = check_deploy(env)
    assert done.returncode != 0
    for warning in ("security.W004", "security.W009", "security.W012", "security.W016"):
        assert warning in done.stderr, warning


def test_the_web_server_refuses_to_start_without_a_secret_key_outside_development(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["CERTCREDIT_SECRET_KEY"]
    loaded = subprocess.run(
        [sys.executable, "-c", "import certcredit.web.wsgi"], env=env, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode != 0 and "CERTCREDIT_SECRET_KEY is not set" in loaded.stderr
    served = subprocess.run(
        [BIN / "certcredit", "serve", "--port", "9"], env=env, capture_output=True, text=True, timeout=120
    )
    assert served.returncode == 1 and "CERTCREDIT_SECRET_KEY is not set" in served.stderr
    development = subprocess.run(
        [sys.executable, "-c", "import certcredit.web.wsgi"],
        env={**env, "CERTCREDIT_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert development.returncode == 0, development.stderr
