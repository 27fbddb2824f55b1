"""Who sees what, who opens which page, who edits which layer: the whole policy, in one place.

Seven roles (:data:`ROLES`) and ten data categories (:data:`CATEGORIES`). For each role
and category, :data:`MATRIX` holds a :class:`Rule`: never, aggregated (to which zone, with
which minimum count ``k``, at which time step, after which publication lag) or exact.
The matrix starts from the proposal of the research note on privacy (sections 5 and 6)
and is written out for readers in ``docs/roles.md``.

Beside the matrix: the pages each role opens (:data:`PAGE_ROLES`), the layers each role
edits (:data:`EDITORS`), the smallest count a role's tables show (:func:`small_count_k`),
what "confidential" means for a facility (:func:`confidential_mask`) and the French
sentence that tells a role what it sees (:func:`notice`). :mod:`clspd_geo.access.release`
applies the matrix to data; :class:`clspd_geo.access.view.RoleView` is the one object
the app reads through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from clspd_geo import vocab
from clspd_geo.errors import ClspdGeoError

Access = Literal["never", "aggregated", "exact"]
ZoneKind = Literal["territoire", "quartier", "grille"]
TimeStep = Literal["mois", "annee"]

GRID_CELL_M = 200.0
"""Side of the aggregation grid cells, metres (anchored on multiples of the side)."""


class AccessError(ClspdGeoError, PermissionError):
    """A role, or a read, that the visibility matrix does not allow."""


@dataclass(frozen=True)
class Role:
    """A user role: code stored in accounts and claims, French label, short description."""

    code: str
    label: str
    description: str


ROLES: tuple[Role, ...] = (
    Role("public", "Public", "Habitants, publication en données ouvertes."),
    Role("partenaire", "Association partenaire",
         "Associations partenaires n'ayant pas signé la charte déontologique."),
    Role("elu", "Élu", "Élus et membres de la séance plénière du CLSPD."),
    Role("groupe_travail", "Membre d'un groupe de travail",
         "Membres d'un groupe de travail thématique (art. L132-5 CSI) signataires de la charte."),
    Role("police", "Police", "Police municipale et nationale : planification des patrouilles."),
    Role("videoprotection", "Vidéoprotection",
         "Planificateurs de la vidéoprotection (CSU, services techniques)."),
    Role("admin", "Administrateur",
         "Exploite l'outil (comptes, imports, journal) sans lire les données de faits."),
)
ROLE_CODES: tuple[str, ...] = tuple(r.code for r in ROLES)

OPERATOR = Role("exploitant", "Exploitant (ligne de commande)",
                "Lecture complète des données par l'exploitant, en ligne de commande "
                "seulement : aucun compte ni aucune page ne peut avoir ce rôle.")
"""The operator's full read, named explicitly on the command line (``--role exploitant``).

It is not a role of the matrix: :func:`role` refuses it, so no account, identity claim or
app session can carry it; only :func:`reader` (the command line's entry) accepts it."""
_ROLES = {r.code: r for r in ROLES}

CATEGORIES: dict[str, str] = {
    "faits_ordinaires": "Faits non sensibles (vols, dégradations, incivilités)",
    "faits_sensibles": "Faits sensibles (violences intrafamiliales et sexuelles, mineurs, "
                       "victimes, radicalisation)",
    "stupefiants": "Infractions liées aux stupéfiants",
    "points": "Couche de faits au point près (toute catégorie)",
    "cameras": "Caméras existantes : positions et champs de vision",
    "cameras_projet": "Caméras en projet",
    "secteurs": "Secteurs de patrouille (limites)",
    "plannings": "Plannings, itinéraires et redécoupages de patrouille",
    "equipements_publics": "Équipements partenaires publics",
    "equipements_confidentiels": "Équipements confidentiels (hébergement de victimes…)",
}
"""Data categories of the matrix, with their French label."""

SENSITIVITY_CATEGORY: dict[str, str] = {"standard": "faits_ordinaires", "sensible": "faits_sensibles",
                         "stupefiants": "stupefiants"}
"""Matrix category of the incidents of each sensitivity (:data:`clspd_geo.vocab` codes)."""


@dataclass(frozen=True)
class Rule:
    """One cell of the visibility matrix.

    Attributes
    ----------
    access
        ``"never"``, ``"aggregated"`` or ``"exact"``.
    zone
        Aggregation zone: ``"grille"`` (cells of :data:`GRID_CELL_M`), ``"quartier"`` or
        ``"territoire"`` (the whole territory).
    k
        Minimum published count: atoms of 1 to k−1 incidents are withheld.
    step
        Time step of aggregated data (``"mois"`` or ``"annee"``); the time of day is
        always removed from aggregated data.
    lag_months
        Months withheld at the end: data of the last ``lag_months`` calendar months
        before the current one (and of the current one) are not released.
    """

    access: Access
    zone: ZoneKind | None = None
    k: int = 1
    step: TimeStep | None = None
    lag_months: int = 0

    def text(self) -> str:
        """Return the French text of the cell (e.g. "Agrégé par quartier, k ≥ 11, mois")."""
        if self.access == "never":
            return "Jamais"
        if self.access == "exact":
            return "Exact"
        zone = {"grille": f"maille de {GRID_CELL_M:.0f} m", "quartier": "quartier",
                "territoire": "territoire entier"}[self.zone or "territoire"]
        step = {"mois": "par mois", "annee": "par année"}[self.step or "mois"]
        lag = f", délai {self.lag_months} mois" if self.lag_months else ""
        return f"Agrégé par {zone}, effectifs ≥ {self.k}, {step}{lag}, sans heure"


NEVER = Rule("never")
EXACT = Rule("exact")


def _agg(zone: ZoneKind, k: int, step: TimeStep = "mois", lag_months: int = 0) -> Rule:
    return Rule("aggregated", zone, k, step, lag_months)


MATRIX: dict[str, dict[str, Rule]] = {
    "public": {
        "faits_ordinaires": _agg("quartier", 11, "mois", 1),
        "faits_sensibles": _agg("territoire", 11, "annee", 1),
        "stupefiants": _agg("quartier", 11, "mois", 1),
        "points": NEVER, "cameras": NEVER, "cameras_projet": NEVER, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "partenaire": {
        "faits_ordinaires": _agg("quartier", 11, "mois", 1),
        "faits_sensibles": _agg("quartier", 11, "annee", 1),
        "stupefiants": _agg("quartier", 11, "mois", 1),
        "points": NEVER, "cameras": NEVER, "cameras_projet": NEVER, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "elu": {
        "faits_ordinaires": _agg("grille", 11),
        "faits_sensibles": _agg("quartier", 11),
        "stupefiants": _agg("quartier", 11),
        "points": NEVER, "cameras": NEVER, "cameras_projet": NEVER, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "groupe_travail": {
        "faits_ordinaires": _agg("grille", 5),
        "faits_sensibles": _agg("quartier", 11),
        "stupefiants": _agg("grille", 5),
        "points": NEVER, "cameras": NEVER, "cameras_projet": NEVER, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "police": {
        "faits_ordinaires": EXACT,
        "faits_sensibles": _agg("grille", 5),
        "stupefiants": EXACT,
        "points": EXACT, "cameras": EXACT, "cameras_projet": EXACT, "secteurs": EXACT,
        "plannings": EXACT, "equipements_publics": EXACT, "equipements_confidentiels": EXACT,
    },
    "videoprotection": {
        "faits_ordinaires": _agg("grille", 5),
        "faits_sensibles": NEVER,
        "stupefiants": _agg("grille", 5),
        "points": NEVER, "cameras": EXACT, "cameras_projet": EXACT, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "admin": {c: NEVER for c in CATEGORIES},
}
"""The visibility matrix: ``MATRIX[role][category]`` is a :class:`Rule`."""

# Layers that hold no incident, camera, patrol or facility data: geography every role sees
# (the administrator needs them to check an import), and the public BAAC road accidents.
GEOGRAPHY: tuple[str, ...] = ("territoire", "quartiers", "voies",
              # The CLSPD action plan (issue 8): titles, partners, quartiers and dates of
              # actions, no personal or incident data; every member of the council reads it.
              "actions",
              # QPV contours and the INSEE 200 m population grid: public statistics.
              "qpv", "carreaux")
"""Layers every role sees whole."""
OPEN_DATA: tuple[str, ...] = ("accidents", "statistiques")
"""Open-data layers (the national BAAC road accidents, the SSMSI published statistics):
every role but the administrator."""
INCIDENT_TABLE = "incidents_table"
"""Layer name of the prepared incidents table (:func:`clspd_geo.analysis.indicators.prepare_incidents`)."""


def role(code: str) -> Role:
    """Return the role with this code.

    Raises
    ------
    AccessError
        The code is not a known role (an account or identity claim with a bad role).
    """
    try:
        return _ROLES[code]
    except (KeyError, TypeError):
        known = ", ".join(ROLE_CODES)
        msg = (f"Le rôle « {code} » n'existe pas (rôles : {known}). Demandez à "
               "l'administrateur de corriger votre compte.")
        raise AccessError(msg) from None


def reader(code: str) -> Role:
    """Return the role a read is made for: a matrix role, or the operator's full read.

    Raises
    ------
    AccessError
        The code is neither a matrix role nor :data:`OPERATOR`.
    """
    return OPERATOR if code == OPERATOR.code else role(code)


def _row(role_code: str) -> dict[str, Rule]:
    if role_code == OPERATOR.code:
        return {c: EXACT for c in CATEGORIES}
    role(role_code)
    return MATRIX[role_code]


def rule(role_code: str, category: str) -> Rule:
    """Return the matrix cell of a role (or the operator: always exact) and a data category."""
    return _row(role_code)[category]


def may_see(role_code: str, category: str) -> bool:
    """Return True when the role sees the category in any form (aggregated or exact)."""
    return rule(role_code, category).access != "never"


def category_rule(role_code: str, category_code: str) -> Rule:
    """Return the rule that applies to one incident category (by its sensitivity)."""
    sens = vocab.category(category_code).sensitivity
    return rule(role_code, SENSITIVITY_CATEGORY[sens])


def visible_categories(role_code: str) -> list[str]:
    """Return the incident category codes the role sees in some form."""
    return [c.code for c in vocab.INCIDENT_CATEGORIES
            if category_rule(role_code, c.code).access != "never"]


def matrix_table() -> pd.DataFrame:
    """Return the matrix as a French table: one row per data category, one column per role."""
    rows = []
    for cat, label in CATEGORIES.items():
        row = {"Données": label}
        for r in ROLES:
            row[r.label] = MATRIX[r.code][cat].text()
        rows.append(row)
    return pd.DataFrame(rows)


# -- pages, edits, small counts, confidentiality ------------------------------------------------

PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "donnees": ("admin", "police"),
    # Patrol workload per shift, patrol briefs and sector redesigns are patrol planning,
    # which only the police sees (docs/roles.md); other roles see field 1 on the overview.
    "police": ("police",),
    # The camera network is the page's subject; roles that never see cameras do not get it.
    "videoprotection": ("police", "videoprotection"),
    "administration": ("admin",),
    # « Comparaison des communes » (``communes``) is not listed: like the overview, every
    # role but the administrator opens it; aggregate roles compare released atoms.
}
"""Pages (by URL path) open to some roles only; every other page is open to every role but
the administrator, who operates the tool without reading incident data."""

EDITORS: dict[str, tuple[str, ...]] = {
    # The CLSPD action plan: the members of the council and the operator edit it.
    "actions": ("elu", "groupe_travail", "police", "admin"),
    # Sector redesigns are patrol planning: only the police saves them.
    "secteurs_proposes": ("police",),
}
"""Layers edited from a page, and the roles that may edit them."""

IMPORTERS: tuple[str, ...] = PAGE_ROLES["donnees"]
"""Roles that may import files into the store (the "Données" page)."""

SMALL_COUNT_FLOOR = 5
"""Smallest k of any table that shows sensitive counts, whatever the role's matrix."""


def finest_zone(role_code: str, category_code: str) -> str | None:
    """Return how finely a role sees an incident category.

    Returns
    -------
    str or None
        ``"point"`` (exact), ``"grille"``, ``"quartier"`` or ``"territoire"`` (aggregated
        to that zone at the finest), or None (never).
    """
    r = category_rule(role_code, category_code)
    if r.access == "never":
        return None
    return "point" if r.access == "exact" else r.zone


def may_open(role_code: str, page: str) -> bool:
    """Return True when the role may open the page of this URL path ("" is the overview)."""
    reader(role_code)
    default = tuple(r for r in ROLE_CODES if r != "admin")
    return role_code in PAGE_ROLES.get(page, default)


def may_edit(role_code: str, layer: str) -> bool:
    """Return True when the role may edit the layer from a page."""
    if reader(role_code) is OPERATOR:
        return True
    return role_code in EDITORS.get(layer, ())


def may_import(role_code: str) -> bool:
    """Return True when the role may import files into the store."""
    if reader(role_code) is OPERATOR:
        return True
    return role_code in IMPORTERS


def small_count_k(role_code: str) -> int:
    """Return the k of the counts of sensitive facts a role's tables and sentences show.

    Counts from 1 to k−1 are shown as « < k ». It is the largest k of the role's
    aggregated incident rules, and at least :data:`SMALL_COUNT_FLOOR`.
    """
    row = _row(role_code)
    ks = [row[c].k for c in SENSITIVITY_CATEGORY.values() if row[c].access == "aggregated"]
    return max([SMALL_COUNT_FLOOR, *ks])


def confidential_mask(equipements: pd.DataFrame) -> np.ndarray:
    """Return the mask of confidential facilities: flagged, or of a confidential kind.

    A missing flag counts as confidential (fail closed).
    """
    flag = (equipements["confidential"].fillna(True).astype(bool).to_numpy()
            if "confidential" in equipements.columns else np.zeros(len(equipements), bool))
    kinds = {k.code for k in vocab.FACILITY_KINDS if k.confidential}
    by_kind = equipements["kind"].isin(kinds).to_numpy(dtype=bool) if len(equipements) else \
        np.zeros(0, dtype=bool)
    return flag | by_kind


_NOTICE_GROUPS = {"faits_ordinaires": "faits ordinaires", "faits_sensibles": "faits sensibles",
                  "stupefiants": "infractions liées aux stupéfiants"}


def _rule_phrase(r: Rule) -> str:
    zone = {"grille": f"par maille de {GRID_CELL_M:.0f} m", "quartier": "par quartier",
            "territoire": "pour tout le territoire"}[r.zone or "territoire"]
    step = {"mois": "par mois", "annee": "par année"}[r.step or "mois"]
    lag = f", avec un délai de {r.lag_months} mois" if r.lag_months else ""
    masked = f", effectifs de 1 à {r.k - 1} masqués (« < {r.k} »)" if r.k > 1 else ""
    return f"agrégés {zone} et {step}, sans heure{lag}{masked}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def notice(role_code: str) -> str | None:
    """Return the French sentence a page shows about what this role sees, or None (exact).

    The sentence names, for the ordinary facts, the sensitive facts and the drug offences,
    whether the role sees them exactly (place, date and time), aggregated (zone, time step,
    delay, and the real small-count threshold: « effectifs de 1 à 10 masqués » for k = 11)
    or not at all. Groups with the same rule are written together.
    """
    r = reader(role_code)
    rules = {c: rule(role_code, c) for c in _NOTICE_GROUPS}
    if all(x.access == "exact" for x in rules.values()):
        return None
    if all(x.access == "never" for x in rules.values()):
        return (f"Rôle « {r.label} » : aucun fait n'est visible (l'administrateur exploite "
                "l'outil sans lire les données).")
    by_phrase: dict[str, list[str]] = {}
    for cat, x in rules.items():
        phrase = {"exact": "vus au fait près (lieu, date et heure)",
                  "never": "non visibles"}.get(x.access) or _rule_phrase(x)
        by_phrase.setdefault(phrase, []).append(_NOTICE_GROUPS[cat])
    parts = [f"{_join(groups)} : {phrase}." for phrase, groups in by_phrase.items()]
    return f"Rôle « {r.label} ». " + " ".join(p[0].upper() + p[1:] for p in parts)
