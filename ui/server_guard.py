"""Developer commands of the Streamlit server, refused in production.

Any websocket client, logged in or not, can send Streamlit's developer back-messages:
``clear_cache`` empties the caches of every user (the role views, the stores) and
``set_run_on_save`` turns on reruns on file change. No configuration option turns them off
(``client.toolbarMode = "viewer"`` only hides the menu), so :func:`install` replaces their
handlers with a refusal that is logged. Installed by ``app.py`` before anything else runs.
"""

from __future__ import annotations

import logging

from streamlit.runtime.app_session import AppSession

_LOG = logging.getLogger("clspd_geo.server_guard")

REFUSED = ("_handle_clear_cache_request", "_handle_set_run_on_save_request")
"""Handlers of the developer back-messages of :class:`AppSession` that are refused."""


def refuse_developer_command(session: AppSession, *args, **kwargs) -> None:
    """Ignore a developer command sent by a client, and log it."""
    _LOG.warning("Commande de développement refusée (session %s).",
                 getattr(session, "id", "?"))


def install() -> None:
    """Replace the developer handlers of :class:`AppSession` by the refusal (idempotent)."""
    for name in REFUSED:
        setattr(AppSession, name, refuse_developer_command)
