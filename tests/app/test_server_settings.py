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


def test_developer_settings_off():
    cfg = _config()
    assert cfg["client"]["toolbarMode"] == "viewer"
    assert cfg["global"]["developmentMode"] is False
    assert cfg["server"]["runOnSave"] is False


def test_clear_cache_from_a_client_is_refused():
    """A websocket client that never logs in sends ``clear_cache``: before, every user's
    caches were emptied (issue 20); the app refuses the command."""
    from unittest import mock

    import streamlit as st
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.runtime.app_session import AppSession
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()  # the login form only: nobody logged in
    calls = []

    @st.cache_resource
    def shared() -> int:
        calls.append(1)
        return len(calls)

    shared()
    client = mock.MagicMock()
    msg = BackMsg(clear_cache=True)
    for name in ("_handle_clear_cache_request", "_handle_set_run_on_save_request"):
        setattr(client, name, getattr(AppSession, name).__get__(client))
    AppSession.handle_backmsg(client, msg)
    AppSession.handle_backmsg(client, BackMsg(set_run_on_save=True))
    assert shared() == 1 and calls == [1], "clear_cache emptied the shared caches"
    client._session_state.clear.assert_not_called()
    client._enqueue_forward_msg.assert_not_called()  # run on save not switched on
    shared.clear()
