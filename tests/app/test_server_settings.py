"""The production server settings stay hardened (fails when one is weakened)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_hardened_settings():
    cfg = _config()
    server, client = cfg["server"], cfg["client"]
    assert client["showErrorDetails"] == "none"
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert server["allowedHosts"], "allowedHosts must not be empty"
    assert server["maxUploadSize"] <= 50
    assert server.get("enableAgentApi", False) is False
    assert server["enableStaticServing"] is True  # offline maps
    assert cfg["browser"]["gatherUsageStats"] is False


def test_no_unsafe_html_in_pages():
    for path in [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html=True" not in text, path
        assert "components.html(" not in text, path
