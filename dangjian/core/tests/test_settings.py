"""The production profile: secure by configuration, refuses to start half-configured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from dangjian.core.crypto import new_key

ROOT = Path(__file__).resolve().parents[3]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # A deployment's environment: not the test database, nor the suite's own settings (the browser
    # tests' DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses).
    suite = ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in suite}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_production_profile_passes_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DANGJIAN_PROFILE="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        AUDIT_KEY=secrets.token_urlsafe(40),
        DATA_KEYS=new_key(),
        LOOKUP_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="dangjian.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        AUDIT_CHECKPOINT_FILE=str(tmp_path / "audit-checkpoints.log"),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_profile_without_a_secret_key_refuses_to_start(tmp_path):
    result = manage("check", DANGJIAN_PROFILE="production", ALLOWED_HOSTS="x", DATABASE_URL=f"sqlite:///{tmp_path}/d")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_profile_without_data_keys_refuses_to_start(tmp_path):
    """ID and phone numbers are encrypted under keys from the environment, never a default."""
    result = manage(
        "check",
        DANGJIAN_PROFILE="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        AUDIT_KEY=secrets.token_urlsafe(40),
        LOOKUP_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="x",
        DATABASE_URL=f"sqlite:///{tmp_path}/d",
    )
    assert result.returncode != 0
    assert "DATA_KEYS" in result.stderr
