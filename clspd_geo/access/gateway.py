"""The gateway of the app to its store: open it once, bootstrap it, hand out role views.

:class:`Gateway` is made once per server process for one store target (a GeoPackage path
or a PostGIS URL). On first use it builds the fictitious demo territory when the store is
empty (the same path for both back-ends: the demo builds frames, the store writes them),
moves the accounts of an earlier version's files into a PostgreSQL base
(:mod:`clspd_geo.access.moving`), creates the demo accounts before any login form can be
submitted, and purges incidents
past the retention period once per store version. Pages never see the store: they get a
:class:`clspd_geo.access.view.RoleView` from :meth:`Gateway.view`.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from clspd_geo import config, demo
from clspd_geo.access import audit, auth, moving, policy
from clspd_geo.access.view import RoleView
from clspd_geo.store import Store, is_database_url, open_store

DEMO_SEED = 1
"""Seed of the demo territory built on first start."""
DEMO_INCIDENTS = 20_000
"""Incidents of the demo territory built on first start."""
KEPT_VERSIONS = 8
"""Store versions whose purge check and demo flag a gateway remembers (the newest)."""


def _remember(seen: dict[str, bool], token: str, value: bool) -> None:
    """Record ``value`` for a version, forgetting the oldest beyond :data:`KEPT_VERSIONS`."""
    seen[token] = value
    while len(seen) > KEPT_VERSIONS:
        del seen[next(iter(seen))]


class Gateway:
    """The store of one target, opened once, with its bootstrap and retention purge.

    Parameters
    ----------
    target
        A GeoPackage path or a ``postgresql://`` URL.
    demo_seed, demo_incidents
        The demo built when the store is empty or absent.
    """

    def __init__(self, target: str, *, demo_seed: int = DEMO_SEED,
                 demo_incidents: int = DEMO_INCIDENTS) -> None:
        self.target = str(target)
        self._seed = demo_seed
        self._n = demo_incidents
        self._store: Store | None = None
        # What the gateway remembers of the store is keyed by its version (read from the
        # store at every run) and bounded: replicas of the app hold no content of their own.
        self._purged: dict[str, bool] = {}
        self._demo: dict[str, bool] = {}
        self._bootstrapped = False  # the store had layers once: no listing at every run
        self._lock = threading.Lock()

    def _open(self) -> Store:
        if self._store is None:
            if is_database_url(self.target):
                self._store = open_store(self.target)
            else:
                self._store = open_store(self.target, create=not Path(self.target).exists())
        return self._store

    def needs_bootstrap(self) -> bool:
        """Tell whether the next :meth:`version` call builds the demo (the store is empty)."""
        if self._bootstrapped:
            return False
        if not is_database_url(self.target) and not Path(self.target).exists():
            return True
        return not self._open().layers()

    def version(self) -> str:
        """Return the current store version, after bootstrap and retention purge.

        Raises
        ------
        ClspdGeoError
            The store cannot be opened (a corrupt or foreign file is never touched).
        """
        with self._lock:
            store = self._open()
            if not self._bootstrapped:
                moving.adopt_files()  # an earlier version's account files, before any login
                if not store.layers():
                    demo.install(store, seed=self._seed, n_incidents=self._n,
                                 n_communes=config.demo_communes())
                self._bootstrapped = True
            token = store.version()
            if token not in self._purged:
                _remember(self._purged, token, True)
                if audit.purge_incidents(self.target):
                    token = store.version()
                    _remember(self._purged, token, True)
            return token

    def view(self, role: str, *, as_of: dt.date | None = None,
             version: str | None = None) -> RoleView:
        """Return the store as one role sees it on one day (see :class:`RoleView`)."""
        token = version if version is not None else self.version()
        return RoleView(self._open(), role, as_of=as_of, version=token)

    def demo_accounts(self) -> dict[str, str]:
        """Create the demo accounts when the store is the demo and no account exists yet.

        All of them are created at once, before the login form is drawn. Returns
        ``{name: password}`` of the accounts created (empty when accounts existed or the
        store is not the demo).
        """
        if not self.is_demo():
            return {}
        made = auth.ensure_demo_accounts()
        if made:
            audit.record("système", "admin", "compte", "démo", detail=f"{len(made)} comptes")
        return made

    def demo_note(self) -> str | None:
        """Create the demo accounts if needed; return the login page's note about them.

        None when the store is not the demo.
        """
        self.demo_accounts()
        if not self.is_demo():
            return None
        codes = ", ".join(r.code for r in policy.ROLES)
        return ("Territoire de démonstration fictif : un compte par rôle, l'identifiant est le "
                f"code du rôle ({codes}) et le mot de passe "
                + auth.DEMO_PASSWORD.format(role="<rôle>") + ". Ces comptes n'existent que "
                "pour la démonstration.")

    def is_demo(self) -> bool:
        """Tell whether the store holds the fictitious demo territory (once per version)."""
        token = self.version()
        if token not in self._demo:
            _remember(self._demo, token, self.view("admin", version=token).is_demo())
        return self._demo[token]
