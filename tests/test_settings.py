"""Production settings: deploy check, secret-key refusal, security headers, login rate limit, size limits."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def run(argv: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run ``argv`` with this interpreter in the project, in a clean environment plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "SECRET_KEY", "DEBUG", "SECURE_"))}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests; check --deploy rightly refuses it
    return subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return run(["-c", code], **env)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run(["manage.py", *args], **env)


def real_key() -> str:
    return secrets.token_urlsafe(50)


@pytest.mark.slow
def test_check_deploy_is_clean_in_production():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=real_key(),
        ALLOWED_HOSTS="kb.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"DEBUG": "false"},
        {"KB_ENV": "production"},
        {"KB_ENV": "production", "SECRET_KEY": "too-short"},
        {"KB_ENV": "production", "SECRET_KEY": "a" * 60},
        {"KB_ENV": "production", "SECRET_KEY": "django-insecure-" + real_key()},
        {"KB_ENV": "production", "SECRET_KEY": "kb-insecure-development-key-set-SECRET_KEY-in-production"},
    ],
    ids=["debug-false", "kb-env", "short", "repetitive", "django-insecure", "development-key"],
)
def test_production_refuses_to_start_without_a_real_secret_key(env):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set to at least 50 random characters" in result.stderr


@pytest.mark.slow
def test_wsgi_application_is_production_by_default():
    result = run_python("import kb.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    served = run_python(
        "import kb.wsgi; from django.conf import settings; print(settings.KB_ENV)", SECRET_KEY=real_key()
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.strip() == "production"


def test_debug_cannot_be_on_in_production():
    result = manage("check", KB_ENV="production", DEBUG="true", SECRET_KEY=real_key())
    assert result.returncode != 0
    assert "DEBUG must be false" in result.stderr


def test_unknown_kb_env_is_refused():
    result = manage("check", KB_ENV="staging")
    assert result.returncode != 0
    assert "KB_ENV must be production or development" in result.stderr


@pytest.mark.slow
def test_production_values_and_development_defaults():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'redirect': s.SECURE_SSL_REDIRECT, 'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE,"
        "'hsts': s.SECURE_HSTS_SECONDS, 'storage': s.STORAGES['staticfiles']['BACKEND'],"
        "'finders': s.WHITENOISE_USE_FINDERS}))"
    )
    prod = run_python(code, DJANGO_SETTINGS_MODULE="kb.settings", KB_ENV="production", SECRET_KEY=real_key())
    assert prod.returncode == 0, prod.stderr
    assert json.loads(prod.stdout) == {
        "redirect": True,
        "session": True,
        "csrf": True,
        "hsts": 31536000,
        "storage": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "finders": False,
    }
    dev = run_python(code, DJANGO_SETTINGS_MODULE="kb.settings")
    assert dev.returncode == 0, dev.stderr
    assert json.loads(dev.stdout) == {
        "redirect": False,
        "session": False,
        "csrf": False,
        "hsts": 0,
        "storage": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "finders": True,
    }


def test_dev_tools_are_installed_in_development_and_never_in_production(settings):
    assert "kbdev.apps.KbdevConfig" in settings.INSTALLED_APPS  # the tests run as development
    result = manage("synth_kb", "--help", KB_ENV="production", SECRET_KEY=real_key())
    assert result.returncode != 0
    assert "Unknown command: 'synth_kb'" in result.stderr


@pytest.mark.slow
def test_passwords_are_hashed_with_pbkdf2_outside_the_tests():
    """The tests hash with MD5 for speed (tests/conftest.py); the settings keep Django's PBKDF2."""
    code = (
        "import django; django.setup(); from django.contrib.auth.hashers import get_hasher; "
        "hasher = get_hasher(); print(hasher.algorithm, hasher.iterations)"
    )
    for env in ({"KB_ENV": "production", "SECRET_KEY": real_key()}, {}):
        result = run_python(code, DJANGO_SETTINGS_MODULE="kb.settings", **env)
        assert result.returncode == 0, result.stderr
        algorithm, iterations = result.stdout.split()
        assert algorithm == "pbkdf2_sha256" and int(iterations) >= 1_000_000, env


@pytest.mark.django_db
def test_the_tests_hash_passwords_with_the_fast_hasher(editor):
    assert editor.password.startswith("md5$")
    assert editor.check_password("pw-editor-123") and not editor.check_password("pw-editor-124")


# --- headers --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/login/", "/no-such-page/", "/static/kb/kb.css", "/actors", "/admin/"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    assert response.status_code in (200, 301, 302, 404)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=True)
def test_hsts_and_https_redirect_when_enabled(client):
    assert client.get("/admin/login/").status_code == 301
    response = client.get("/admin/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_cookies_are_secure_and_session_http_only(client, editor):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "pw-editor-123"}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert client.cookies["csrftoken"]["secure"]


# --- login rate limit -----------------------------------------------------------


def admin_login(client, username, password, ip="10.1.1.1"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_admin_login_is_rate_limited(client, editor, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_login(client, "editor", "wrong").status_code == 200  # the form again, with an error
    assert admin_login(client, "editor", "wrong").status_code == 429
    # Locked out: even the right password is refused and no session is made.
    response = admin_login(client, "editor", "pw-editor-123")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lock is for that username from that address: others are unaffected.
    assert admin_login(client, "admin", "pw-admin-123").status_code == 302
    client.logout()
    assert admin_login(client, "editor", "pw-editor-123", ip="10.2.2.2").status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, "editor", "wrong")
    assert admin_login(client, "editor", "pw-editor-123").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_login(client, "editor", "wrong").status_code == 200


@pytest.mark.django_db
def test_any_authenticate_call_with_a_request_is_counted(editor, settings, rf):
    from django.contrib.auth import authenticate

    request = rf.post("/api/login/", REMOTE_ADDR="10.3.3.3")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert authenticate(request, username="editor", password="wrong") is None
    assert authenticate(request, username="editor", password="pw-editor-123") is None  # locked out
    assert authenticate(rf.post("/", REMOTE_ADDR="10.4.4.4"), username="editor", password="pw-editor-123") == editor


@pytest.mark.django_db
def test_client_login_without_a_request_still_works(client, editor):
    assert client.login(username="editor", password="pw-editor-123")


# --- size limits ----------------------------------------------------------------


@pytest.mark.django_db
@override_settings(KB_UPLOAD_MAX_BYTES=1000)
def test_an_oversized_upload_is_refused_with_400(client):
    big = SimpleUploadedFile("article.txt", b"x" * 5000, content_type="text/plain")
    response = client.post("/admin/login/", {"username": "u", "password": "p", "file": big})
    assert response.status_code == 400


@pytest.mark.django_db
@override_settings(KB_UPLOAD_MAX_BYTES=1000)
def test_an_upload_within_the_limit_passes(client):
    small = SimpleUploadedFile("article.txt", b"x" * 500, content_type="text/plain")
    response = client.post("/admin/login/", {"username": "u", "password": "p", "file": small})
    assert response.status_code == 200


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_form_body_is_refused_with_400(client):
    response = client.post("/admin/login/", {"username": "u" * 5000, "password": "p"})
    assert response.status_code == 400


def test_limits_are_configured(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 3 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2 * 1024 * 1024
    assert settings.KB_UPLOAD_MAX_BYTES == settings.KB_INGEST_MAX_BYTES
    assert settings.FILE_UPLOAD_HANDLERS[0] == "kb.uploads.SizeLimitUploadHandler"


# --- the error log --------------------------------------------------------------------------


@pytest.fixture
def error_log():
    """What the stderr log handler writes, one JSON line per record."""
    import io
    import logging

    handler = next(h for h in logging.getLogger().handlers if h.name == "stderr")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_server_error_is_one_json_line_with_the_request_id(error_log, monkeypatch):
    from django.test import Client

    from kb.api.views import ClaimViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ClaimViewSet, "list", broken)
    response = Client(raise_request_exception=False).get("/api/v1/claims/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    lines = error_log.getvalue().splitlines()
    assert len(lines) == 1, lines
    record = json.loads(lines[0])
    assert record["level"] == "ERROR" and record["logger"] == "django.request"
    assert record["request_id"] == request_id
    assert "/api/v1/claims/" in record["message"]
    assert "Traceback" in record["exc_info"] and "RuntimeError: the database went away" in record["exc_info"]


@pytest.mark.django_db
def test_refusals_are_not_logged_and_every_answer_has_a_request_id(client, error_log):
    first = client.get("/api/v1/claims/?page=999")
    second = client.get("/no-such-page/")
    assert (first.status_code, second.status_code) == (404, 404)
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert error_log.getvalue() == ""


def test_the_cache_is_redis_when_kb_cache_url_or_redis_url_is_set():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "c = s.CACHES['default']; "
        "print(c['BACKEND'].rsplit('.', 1)[-1], c.get('LOCATION'), s.SESSION_ENGINE.rsplit('.', 1)[-1])"
    )
    run_env = {"DJANGO_SETTINGS_MODULE": "kb.settings"}
    alone = run_python(code, **run_env, REDIS_URL="").stdout.split()
    assert (alone[0], alone[-1]) == ("LocMemCache", "db")
    named = run_python(code, **run_env, REDIS_URL="redis://127.0.0.1:6379/3").stdout.split()
    assert named == ["RedisCache", "redis://127.0.0.1:6379/3", "cached_db"]
    both = run_python(code, **run_env, REDIS_URL="redis://a:6379/3", KB_CACHE_URL="redis://b:6379/1").stdout.split()
    assert both == ["RedisCache", "redis://b:6379/1", "cached_db"]
