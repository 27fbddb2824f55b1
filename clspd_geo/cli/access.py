"""The role a command reads as: every command that reads data goes through a role view.

``--role`` defaults to the most restrictive role that can run the command (the camera
plan needs cameras: the video-protection planners; the patrol analyses: the police…); an
operator who needs another reading names the role explicitly, and the full read of the
data is the explicit ``--role exploitant`` (:data:`clspd_geo.access.policy.OPERATOR`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clspd_geo.access import policy
from clspd_geo.access.view import RoleView
from clspd_geo.store import open_store


def add_role_argument(p: argparse.ArgumentParser, *, default: str) -> None:
    """Add ``--role`` (a role of the visibility matrix, default ``default``) to a command."""
    policy.role(default)
    labels = ", ".join(f"{r.code} ({r.label})" for r in (*policy.ROLES, policy.OPERATOR))
    p.add_argument("--role", choices=(*policy.ROLE_CODES, policy.OPERATOR.code), default=default,
                   metavar="ROLE",
                   help=f"rôle dont les droits s'appliquent à la lecture (défaut : {default}) ; "
                        f"rôles : {labels}")


def open_view(store: str | Path, role: str) -> RoleView:
    """Return the store at ``store`` as ``role`` sees it today."""
    return RoleView(open_store(store), role, operator=True)
