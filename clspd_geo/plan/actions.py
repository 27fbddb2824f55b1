"""The CLSPD action plan: the ``actions`` layer, its tables, its edits and a demo plan.

An action has a title, an action field, a lead partner and other partners (codes of
:data:`clspd_geo.vocab.PARTNERS`), a quartier or a place (a point is optional), a status,
start and end dates, and the indicator it is followed by. The app edits the plan one action
field at a time: :func:`editor_frame` gives the field's rows as a plain table (codes, lists
and dates, for ``st.data_editor``), :func:`apply_edits` checks the edited table and returns
the whole new layer, ready for :meth:`clspd_geo.store.GeoPackageStore.write` (which writes
atomically). :func:`save_edits` saves the same edit row by row
(:meth:`~clspd_geo.store.GeoPackageStore.edit_rows`), so that two partners saving at once
lose nothing: only an edit of a row changed meanwhile is refused.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from clspd_geo import _format, config, schemas, vocab
from clspd_geo.errors import RowConflictError, SchemaError
from clspd_geo.store import rows as row_store

STATUSES: dict[str, str] = {
    "prevue": "Prévue",
    "en_cours": "En cours",
    "realisee": "Réalisée",
    "suspendue": "Suspendue",
}
SOURCE = "Plan d'action saisi dans l'application"
EDITOR_COLUMNS = ("action_id", "title", "lead_partner", "partners", "quartier_id", "place",
                  "status", "start_on", "end_on", "indicator", "lon", "lat")
EDITOR_LABELS = {"action_id": "N°", "title": "Action", "lead_partner": "Pilote",
                 "partners": "Partenaires", "quartier_id": "Quartier", "place": "Lieu",
                 "status": "Statut", "start_on": "Début", "end_on": "Fin",
                 "indicator": "Indicateur de suivi", "lon": "Longitude", "lat": "Latitude"}
_PARTNER_CODES = tuple(p.code for p in vocab.PARTNERS)


def empty() -> gpd.GeoDataFrame:
    """Return an empty ``actions`` layer."""
    return schemas.empty("actions")


def partner_list(value: object) -> list[str]:
    """Return the partner codes of a ``partners`` cell ("a;b", a list, or empty)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value).split(";") if p.strip()]


def for_field(actions: gpd.GeoDataFrame, field: str) -> gpd.GeoDataFrame:
    """Return the actions of one action field."""
    if actions.empty:
        return actions
    return actions[actions["field"] == field]


def _quartier_names(quartiers: gpd.GeoDataFrame | None) -> dict[str, str]:
    if quartiers is None or quartiers.empty:
        return {}
    return dict(zip(quartiers["quartier_id"].astype(str), quartiers["name"].astype(str),
                    strict=True))


def _date_text(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return _format.date(pd.Timestamp(value))


def display_table(actions: gpd.GeoDataFrame, quartiers: gpd.GeoDataFrame | None = None, *,
                  with_field: bool = False) -> pd.DataFrame:
    """Return the actions as a French table (labels, not codes), by status then start date."""
    names = _quartier_names(quartiers)
    order = {s: i for i, s in enumerate(STATUSES)}
    work = actions.assign(_o=actions["status"].map(order)).sort_values(
        ["_o", "start_on"], kind="stable") if len(actions) else actions
    rows = []
    for _, a in work.iterrows():
        row = {"Action": a["title"]}
        if with_field:
            row["Champ d'action"] = vocab.action_field(a["field"]).short
        qid = a.get("quartier_id")
        row.update({
            "Statut": STATUSES.get(a["status"], a["status"]),
            "Pilote": vocab.partner(a["lead_partner"]).label,
            "Partenaires": ", ".join(vocab.partner(p).label for p in partner_list(a["partners"])
                                     if p in _PARTNER_CODES),
            "Quartier": names.get(str(qid), str(qid)) if qid and not pd.isna(qid)
            else "Tout le territoire",
            "Lieu": a.get("place") or "",
            "Début": _date_text(a["start_on"]), "Fin": _date_text(a["end_on"]),
            "Indicateur de suivi": a["indicator"] or ""})
        rows.append(row)
    cols = ["Action", *(["Champ d'action"] if with_field else []), "Statut", "Pilote",
            "Partenaires", "Quartier", "Lieu", "Début", "Fin", "Indicateur de suivi"]
    return pd.DataFrame(rows, columns=cols)


def by_status(actions: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the number of actions per status and action field (overview).

    Returns
    -------
    DataFrame
        Index: the action fields present (short French names); one column per status
        (French labels) and ``Total``.
    """
    if actions.empty:
        return pd.DataFrame(columns=[*STATUSES.values(), "Total"])
    table = pd.crosstab(actions["field"], actions["status"]).reindex(
        columns=list(STATUSES), fill_value=0)
    order = [f.code for f in vocab.ACTION_FIELDS if f.code in table.index]
    table = table.loc[order]
    table.index = [vocab.action_field(f).short for f in table.index]
    table.index.name = "Champ d'action"
    table.columns = [STATUSES[s] for s in table.columns]
    table["Total"] = table.sum(axis=1)
    return table


def status_sentence(actions: gpd.GeoDataFrame) -> str:
    """Return one French sentence summing up the plan."""
    if actions.empty:
        return ("Le plan d'action est vide : ajoutez les actions du CLSPD depuis la page de "
                "chaque champ d'action.")
    n = actions["status"].value_counts()
    today = pd.Timestamp(dt.date.today())
    late = actions[(actions["status"].isin(["prevue", "en_cours"]))
                   & pd.to_datetime(actions["end_on"]).lt(today)]
    text = (f"{_format.count(len(actions), 'action')} au plan : {int(n.get('en_cours', 0))} en cours, "
            f"{int(n.get('prevue', 0))} prévues, {int(n.get('realisee', 0))} réalisées, "
            f"{int(n.get('suspendue', 0))} suspendues.")
    if len(late):
        text += (f" {_format.count(len(late), 'action non terminée', 'actions non terminées')} "
                 f"{'a' if len(late) < 2 else 'ont'} dépassé leur date de fin.")
    return text


# -- editing -----------------------------------------------------------------------------------

def editor_frame(actions: gpd.GeoDataFrame, field: str) -> pd.DataFrame:
    """Return one field's actions as a plain table for ``st.data_editor``.

    Columns are :data:`EDITOR_COLUMNS`: codes for partners, quartier and status (the page
    shows their labels), ``partners`` as a list, dates as :class:`datetime.date`, and
    ``lon``/``lat`` (empty when the action has no point).
    """
    rows = for_field(actions, field)
    geom = rows.geometry if len(rows) else gpd.GeoSeries([], crs=config.STORAGE_CRS)
    has = (~geom.isna() & ~geom.is_empty).to_numpy(dtype=bool) if len(rows) else np.zeros(
        0, dtype=bool)
    lon = np.full(len(rows), np.nan)
    lat = np.full(len(rows), np.nan)
    if has.any():
        lon[has] = geom[has].x.to_numpy()
        lat[has] = geom[has].y.to_numpy()

    def dates(col: str) -> list:
        return [None if pd.isna(v) else pd.Timestamp(v).date() for v in rows[col]]

    def text(col: str) -> pd.Series:
        values = rows[col].to_numpy(dtype=object) if len(rows) else []
        return pd.Series(values, dtype="string")

    out = pd.DataFrame({
        "action_id": text("action_id"), "title": text("title"),
        "lead_partner": text("lead_partner"),
        "partners": pd.Series([partner_list(v) for v in rows["partners"]] if len(rows) else [],
                              dtype=object),
        "quartier_id": text("quartier_id"), "place": text("place"), "status": text("status"),
        "start_on": pd.Series(dates("start_on") if len(rows) else [], dtype=object),
        "end_on": pd.Series(dates("end_on") if len(rows) else [], dtype=object),
        "indicator": text("indicator"),
        "lon": pd.Series(lon, dtype=float), "lat": pd.Series(lat, dtype=float)})
    return out.reset_index(drop=True)


def _blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    if isinstance(v, (list, tuple, np.ndarray)):
        return False
    try:
        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(v, str) and not v.strip()


def apply_edits(actions: gpd.GeoDataFrame, field: str, edited: pd.DataFrame, *,
                quartiers: gpd.GeoDataFrame | None = None,
                territoire: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Return the whole ``actions`` layer with one field's rows replaced by ``edited``.

    Parameters
    ----------
    actions
        The current layer (may be empty).
    field
        The action field being edited; other fields' actions are kept as they are.
    edited
        The table of :func:`editor_frame` after editing: rows may be added (empty
        ``action_id``: a new id is given), changed or deleted. Fully empty rows are ignored.
    quartiers
        The quartiers, to check ``quartier_id``.
    territoire
        The territory, to check that a point given by ``lon``/``lat`` lies near it.

    Raises
    ------
    SchemaError
        One French message listing every problem (row numbers as shown, from 1): a missing
        title, lead partner or status, an unknown partner or quartier, an end before the
        start, half a point or a point far from the territory.
    """
    problems: list[str] = []
    known_q = set(_quartier_names(quartiers)) if quartiers is not None else None
    bounds = None
    if territoire is not None and not territoire.empty:
        minx, miny, maxx, maxy = territoire.to_crs(config.STORAGE_CRS).total_bounds
        pad = 0.05  # degrees, about 5 km: a place just beyond the boundary is fine
        bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    kept = actions[actions["field"] != field] if len(actions) else actions
    used = set(actions["action_id"].astype(str)) if len(actions) else set()
    records, geoms = [], []
    for pos, (_, r) in enumerate(edited.reset_index(drop=True).iterrows(), start=1):
        values = {c: r.get(c) for c in EDITOR_COLUMNS}
        if all(_blank(values[c]) or (isinstance(values[c], list) and not values[c])
               for c in EDITOR_COLUMNS if c != "action_id"):
            continue
        where = f"ligne {pos}"
        if _blank(values["title"]):
            problems.append(f"{where} : l'intitulé de l'action est vide")
        lead = values["lead_partner"]
        if _blank(lead) or lead not in _PARTNER_CODES:
            problems.append(f"{where} : choisissez le partenaire pilote")
        partners = partner_list(values["partners"])
        bad = [p for p in partners if p not in _PARTNER_CODES]
        if bad:
            unknown = _format.plural(len(bad), "partenaire inconnu")
            problems.append(f"{where} : {unknown} {', '.join(bad)}")
        status = values["status"]
        if _blank(status) or status not in STATUSES:
            problems.append(f"{where} : choisissez un statut ({', '.join(STATUSES.values())})")
        qid = None if _blank(values["quartier_id"]) else str(values["quartier_id"])
        if qid is not None and known_q is not None and qid not in known_q:
            problems.append(f"{where} : quartier « {qid} » inconnu")
        start = None if _blank(values["start_on"]) else pd.Timestamp(values["start_on"])
        end = None if _blank(values["end_on"]) else pd.Timestamp(values["end_on"])
        if start is not None and end is not None and end < start:
            problems.append(f"{where} : la fin ({end:%d/%m/%Y}) précède le début "
                            f"({start:%d/%m/%Y})")
        lon, lat = values["lon"], values["lat"]
        geom = None
        if _blank(lon) != _blank(lat):
            problems.append(f"{where} : donnez la longitude et la latitude, ou aucune des deux")
        elif not _blank(lon):
            lon, lat = float(lon), float(lat)
            if bounds is not None and not (bounds[0] <= lon <= bounds[2]
                                           and bounds[1] <= lat <= bounds[3]):
                problems.append(f"{where} : le point ({lon:.5f}, {lat:.5f}) est loin du "
                                "territoire (longitude et latitude en degrés WGS 84)")
            geom = Point(lon, lat)
        aid = None if _blank(values["action_id"]) else str(values["action_id"])
        if aid is None:
            n = 1
            while f"ACT-{field}-{n:03d}" in used:
                n += 1
            aid = f"ACT-{field}-{n:03d}"
        used.add(aid)
        records.append({"action_id": aid, "title": None if _blank(values["title"])
                        else str(values["title"]).strip(), "field": field, "lead_partner": lead,
                        "partners": ";".join(partners) or None, "quartier_id": qid,
                        "place": None if _blank(values["place"]) else str(values["place"]),
                        "status": status, "start_on": start, "end_on": end,
                        "indicator": None if _blank(values["indicator"])
                        else str(values["indicator"])})
        geoms.append(geom)
    if problems:
        msg = ("Le plan d'action n'a pas été enregistré : " + " ; ".join(problems)
               + ". Corrigez ces lignes puis enregistrez de nouveau.")
        raise SchemaError(msg)
    new = gpd.GeoDataFrame(pd.DataFrame(records, columns=schemas.ACTIONS.column_names),
                           geometry=gpd.GeoSeries(geoms, crs=config.STORAGE_CRS))
    new = schemas.conform(new, "actions") if len(new) else empty()
    parts = [p for p in (schemas.conform(kept, "actions") if len(kept) else None, new)
             if p is not None and len(p)]
    out = (pd.concat(parts, ignore_index=True) if parts else empty())
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=config.STORAGE_CRS)
    return schemas.validate(schemas.conform(out, "actions"), "actions")


# -- saving row by row -------------------------------------------------------------------------

def row_edits(base: gpd.GeoDataFrame, field: str, edited: pd.DataFrame, *,
              quartiers: gpd.GeoDataFrame | None = None,
              territoire: gpd.GeoDataFrame | None = None,
              taken: set[str] | None = None) -> row_store.RowEdits:
    """Return the edit of one field as row changes against the plan the editor showed.

    ``base`` is the layer the editor was built from (:func:`editor_frame`). Only the rows
    that differ from ``base`` are written (changed, added, deleted), each with the version
    it had in ``base``, so that :meth:`edit_rows` refuses only an edit of a row someone
    else changed meanwhile. ``taken`` adds identifiers a new action must not get (those
    created meanwhile).

    Raises
    ------
    SchemaError
        As :func:`apply_edits`.
    """
    new = apply_edits(base, field, edited, quartiers=quartiers, territoire=territoire)
    new = new[new["field"] == field].reset_index(drop=True)
    known = set(base["action_id"].astype(str)) if len(base) else set()
    if taken:
        used = known | set(taken) | set(new["action_id"].astype(str))
        ids = new["action_id"].astype(str).tolist()
        for i, aid in enumerate(ids):
            if aid in taken and aid not in known:
                n = 1
                while f"ACT-{field}-{n:03d}" in used:
                    n += 1
                ids[i] = f"ACT-{field}-{n:03d}"
                used.add(ids[i])
        new = new.assign(action_id=ids)
    before = row_store.row_versions(base, "actions")
    after = row_store.row_versions(new, "actions")
    mine = for_field(base, field)
    changed = [aid for aid, v in after.items() if before.get(aid) != v]
    deleted = tuple(str(a) for a in mine["action_id"].astype(str) if a not in after) if len(
        mine) else ()
    upserts = new[new["action_id"].astype(str).isin(changed)]
    return row_store.RowEdits("actions", upserts.reset_index(drop=True), deleted,
                         {aid: before.get(aid) for aid in [*changed, *deleted]})


def save_edits(store, base: gpd.GeoDataFrame, field: str, edited: pd.DataFrame, *, by: str,
               quartiers: gpd.GeoDataFrame | None = None,
               territoire: gpd.GeoDataFrame | None = None) -> row_store.RowEdits:
    """Save one field's edits row by row; return what was written.

    Rows changed by someone else since ``base`` was read are kept; only an edit of one of
    the same rows is refused. A new action whose number was taken meanwhile is numbered
    again (up to three tries).

    Raises
    ------
    RowConflictError
        One of the rows edited here was changed or deleted meanwhile: « L'action … a été
        modifiée entre-temps par … » with both versions (``mine``, ``theirs``) and who
        (``by``) on the exception; nothing was written.
    SchemaError
        As :func:`apply_edits`.
    """
    taken: set[str] = set()
    last: RowConflictError | None = None
    for _ in range(3):
        edit = row_edits(base, field, edited, quartiers=quartiers, territoire=territoire,
                         taken=taken)
        try:
            store.edit_rows(edit, source=SOURCE, by=by)
            return edit
        except RowConflictError as err:
            if err.expected is not None or err.row_id in set(base["action_id"].astype(str)):
                raise
            taken.add(err.row_id)  # a new action got a number someone else just used
            last = err
    raise last


# -- the demo plan -----------------------------------------------------------------------------

# (field, title, lead, partners, quartier_id, facility name or None, status, start, end, indicator)
_DEMO = (
    ("police", "Patrouilles communes PN/PM les vendredis et samedis soir", "police_nationale",
     "police_municipale;maire", "Q01", "Rue de la République", "en_cours", "2025-09-01",
     "2026-12-31", "Faits de tapage et rixes le week-end, en soirée"),
    ("video", "Extension de la vidéoprotection aux abords de la gare", "maire",
     "prefet;police_nationale;transporteurs", "Q02", "Gare de Valbourg", "prevue", "2026-11-01",
     "2027-06-30", "Part des faits du quartier vus par une caméra"),
    ("addictions", "Maraude de réduction des risques autour des points de deal",
     "sante", "associations;police_nationale", "Q03", None, "en_cours", "2025-03-01",
     "2026-12-31", "Personnes orientées vers le CSAPA ou le CAARUD"),
    ("addictions", "Charte de la vie nocturne avec les débits de boissons", "maire",
     "police_municipale;prefet", "Q01", "Rue de la République", "realisee", "2025-01-15",
     "2025-06-30", "Ivresses publiques entre minuit et 4 h"),
    ("jeunesse", "Médiateurs aux sorties des collèges", "cohesion_sociale",
     "education_nationale;associations", None, None, "en_cours", "2025-09-01", "2026-07-04",
     "Violences scolaires signalées par trimestre"),
    ("jeunesse", "Permanence d'accueil des victimes de violences conjugales", "associations",
     "police_nationale;departement;justice", "Q04", None, "prevue", "2026-11-15", None,
     "Victimes accompagnées"),
    ("insertion", "Chantier éducatif d'été pour les 16-25 ans", "cohesion_sociale",
     "bailleurs;justice;associations", "Q04", None, "realisee", "2025-07-01", "2025-08-31",
     "Jeunes accueillis, dont sous main de justice"),
    ("insertion", "Nouvelles structures d'accueil de TIG", "justice", "maire;associations",
     None, None, "en_cours", "2026-01-01", "2026-12-31", "Postes de TIG offerts"),
    ("victimes", "Intervenant social au commissariat à temps plein", "departement",
     "police_nationale;maire", "Q01", "Commissariat de police de Valbourg", "realisee",
     "2025-02-01", "2025-12-31", "Victimes reçues par l'intervenant social"),
    ("routier", "Zone 30 et plateau surélevé devant les écoles du Plateau", "maire",
     "education_nationale;police_municipale", "Q09", None, "prevue", "2026-10-01",
     "2027-03-31", "Accidents corporels à moins de 200 m des écoles"),
    ("radicalisation", "Formation des animateurs des maisons de quartier", "prefet",
     "cohesion_sociale;associations", "Q03", "Centre social des Tilleuls", "realisee",
     "2025-11-01", "2025-11-30", "Professionnels formés"),
    ("radicalisation", "Sensibilisation des enseignants des collèges", "prefet",
     "education_nationale", "Q04", None, "en_cours", "2026-09-01", "2027-06-30",
     "Établissements sensibilisés"),
)


def demo_plan(quartiers: gpd.GeoDataFrame, equipements: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the fictitious action plan of the demo commune (every action has a point).

    The point is the named facility when there is one, else a point inside the quartier,
    else the town hall.
    """
    by_name = dict(zip(equipements["name"], equipements.geometry, strict=True))
    q_point = {qid: g.representative_point() for qid, g in zip(
        quartiers["quartier_id"], quartiers.to_crs(config.STORAGE_CRS).geometry, strict=True)}
    town_hall = equipements.loc[equipements["kind"] == "mairie"].geometry
    centre = town_hall.iloc[0] if len(town_hall) else next(iter(q_point.values()))
    rows, geoms = [], []
    counters: dict[str, int] = {}
    for field, title, lead, partners, qid, place, status, start, end, indicator in _DEMO:
        counters[field] = counters.get(field, 0) + 1
        rows.append({"action_id": f"ACT-{field}-{counters[field]:03d}", "title": title,
                     "field": field, "lead_partner": lead, "partners": partners,
                     "quartier_id": qid, "place": place, "status": status,
                     "start_on": pd.Timestamp(start), "end_on": pd.Timestamp(end) if end
                     else None, "indicator": indicator})
        geoms.append(by_name.get(place) if place in by_name else q_point.get(qid, centre))
    gdf = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geoms, crs=config.STORAGE_CRS))
    return schemas.conform(gdf, "actions")
