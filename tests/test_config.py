"""Settings: defaults, and bad values that fail at start naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from sophia.core.backends import chunk_plan
from sophia.core.config import Settings, load_settings
from sophia.core.embedders.hashing import HashingEmbedder
from sophia.core.errors import ConfigError


def test_defaults_need_no_account_anywhere() -> None:
    settings = load_settings(_env_file=None)
    assert settings.sophia_data_dir == Path("data")
    assert settings.gong_base_url == "https://api.gong.io"
    assert (settings.retention_days, settings.sync_batch_size, settings.cache_ttl_s) == (
        90,
        50,
        3600,
    )
    assert not settings.gong_configured


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SEARCH_ALPHA", "1.5", "SEARCH_ALPHA"),
        ("SYNC_BATCH_SIZE", "lots", "SYNC_BATCH_SIZE"),
        ("GONG_RATE_LIMIT", "10", "GONG_RATE_LIMIT"),
        ("GONG_BASE_URL", "api.gong.io", "GONG_BASE_URL"),
        ("SOPHIA_TIMEZONE", "Mars/Olympus_Mons", "SOPHIA_TIMEZONE"),
        ("SOPHIA_EMBEDDER", "gpt-99", "SOPHIA_EMBEDDER"),
        ("RETENTION_DAYS", "-1", "RETENTION_DAYS"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message):
        load_settings(_env_file=None)


def test_settings_come_from_dotenv(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("SEARCH_LIMIT=9\nGONG_ACCESS_KEY=k\nGONG_ACCESS_SECRET=s\n")
    settings = load_settings(_env_file=env)
    assert settings.search_limit == 9 and settings.gong_configured


def test_contradictions_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONG_ACCESS_KEY", "only-the-key")
    with pytest.raises(ConfigError, match="GONG_ACCESS_SECRET"):
        load_settings(_env_file=None)
    monkeypatch.delenv("GONG_ACCESS_KEY")
    monkeypatch.setenv("CHUNK_TOKENS", "100")
    monkeypatch.setenv("CHUNK_OVERLAP", "100")
    with pytest.raises(ConfigError, match="CHUNK_OVERLAP"):
        load_settings(_env_file=None)


def test_secrets_never_show_in_settings_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONG_ACCESS_KEY", "key-abc-123")
    monkeypatch.setenv("GONG_ACCESS_SECRET", "secret-xyz-789")
    settings = load_settings(_env_file=None)
    assert "secret-xyz-789" not in repr(settings) and "secret-xyz-789" not in str(
        settings.model_dump()
    )


def test_chunk_size_beyond_the_model_window_is_refused() -> None:
    embedder = HashingEmbedder()
    with pytest.raises(ConfigError, match="CHUNK_TOKENS=700"):
        chunk_plan(Settings(_env_file=None, chunk_tokens=700), embedder)
    plan = chunk_plan(Settings(_env_file=None, chunk_tokens=128), embedder)
    assert (plan.max_tokens, plan.overlap_tokens) == (128, 50)
    with pytest.raises(ConfigError, match="CHUNK_OVERLAP"):
        chunk_plan(Settings(_env_file=None, chunk_tokens=40), embedder)
