"""The one import pipeline, shared by the command line and the "Données" page.

read (size first, then format, encoding, separator; in a limited child process with
``ImportOptions(isolated=True)``, :mod:`~clspd_geo.importing.worker`) → map columns and vocabularies
(one module per kind) → check positions against the territory → drop rejected rows and
duplicate ids → validate against the data model → report → write every layer in one
atomic step with ``store.write_many``. :func:`prepare` writes nothing; :func:`commit`
writes what :func:`prepare` accepted; a failure at any point leaves the store unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd

from clspd_geo import _format, schemas
from clspd_geo import store as store_mod
from clspd_geo.errors import DataFileError, SchemaError
from clspd_geo.importing import (
    accidents, boundaries, cameras, facilities, filosofi, gtfs, incidents, iris_tables, qpv,
    roads, sectors, sniffing, ssmsi, worker,
)
from clspd_geo.importing.context import Context, ImportOptions
from clspd_geo.importing.report import FileInfo, ImportReport, RowLog

Kind = Literal["accidents", "cameras", "facilities", "boundaries", "sectors", "incidents",
               "roads", "qpv", "gtfs", "statistics", "population", "iris_population"]

BUILDERS = {
    "accidents": accidents.build,
    "cameras": cameras.build,
    "facilities": facilities.build,
    "boundaries": boundaries.build,
    "sectors": sectors.build,
    "incidents": incidents.build,
    "roads": roads.build,
    "qpv": qpv.build,
    "gtfs": gtfs.build,
    "statistics": ssmsi.build,
    "population": filosofi.build,
    "iris_population": iris_tables.build,
}
KINDS: tuple[str, ...] = tuple(BUILDERS)
UPSERT_KINDS: tuple[str, ...] = ("incidents",)
"""The kinds an import may add or update by identifier (``mode="upsert"``): one layer each,
whose rows both stores upsert in one transaction."""
KIND_LABELS: dict[str, str] = {
    "accidents": "Accidents de la route (BAAC, extrait Préfecture de police)",
    "cameras": "Caméras de vidéoprotection",
    "facilities": "Équipements partenaires (OSM, FINESS, collèges, gares...)",
    "boundaries": "Limites : communes du territoire ou quartiers",
    "sectors": "Secteurs de patrouille",
    "incidents": "Faits et incidents",
    "roads": "Voies (OpenStreetMap, IGN BD TOPO ou ROUTE 500)",
    "qpv": "Contours des quartiers prioritaires (QPV 2015 ou 2024)",
    "gtfs": "Arrêts et stations de transport en commun (GTFS)",
    "statistics": "Statistiques officielles de la délinquance (bases SSMSI)",
    "population": "Population carroyée 200 m (INSEE Filosofi)",
    "iris_population": "Population par IRIS (tables du recensement, jointes aux IRIS)",
}


def default_mode(kind: str) -> str:
    """Return the natural import mode of a kind: ``"upsert"`` for incidents (a monthly
    extract adds its month and corrects rows already imported), else ``"replace"``."""
    return "upsert" if kind in UPSERT_KINDS else "replace"


def _target(target: str | Path | store_mod.Store | None
            ) -> str | Path | store_mod.Store | None:
    """Return a ``postgresql://`` URL opened as its store; a path or a store as given."""
    if isinstance(target, str) and store_mod.is_database_url(target):
        return store_mod.open_store(target)
    return target


def _version(target: str | Path | store_mod.Store | None,
             st: store_mod.Store | None) -> str | None:
    """Return the version of the store an import is prepared from (``absent``: no file yet)."""
    if st is not None:
        return st.version()
    if isinstance(target, (str, Path)):
        return store_mod.file_version(target)
    return None


def _location(target: str | Path | store_mod.Store | None) -> str | None:
    """Return where a store target lives (a resolved path, or the store's location)."""
    if target is None:
        return None
    if isinstance(target, (str, Path)):
        return str(Path(target).resolve())
    if isinstance(target, store_mod.GeoPackageStore):
        return str(target.path.resolve())
    return target.location


def _open(target: str | Path | store_mod.Store | None) -> store_mod.Store | None:
    """Return the store to check against: an opened store as is, a path if it exists."""
    if target is None:
        return None
    if isinstance(target, (str, Path)):
        return store_mod.GeoPackageStore(target) if Path(target).exists() else None
    return target


def _read_store(target: str | Path | store_mod.Store | None
                ) -> tuple[store_mod.Store | None, dict]:
    st = _open(target)
    if st is None:
        return None, {}
    layers = {name: st.read(name) for name in ("territoire", "quartiers") if st.has(name)}
    return st, layers


def prepare(kind: str, paths: Sequence[str | Path], *,
            store_path: str | Path | store_mod.Store | None = None,
            options: ImportOptions | None = None,
            names: Sequence[str] | None = None) -> ImportReport:
    """Read, map, check and validate files; return the report (nothing is written).

    Parameters
    ----------
    kind
        One of :data:`KINDS`.
    paths
        The files (a BAAC year may be given as its four files).
    store_path
        The store whose territory and quartiers the rows are checked against: a GeoPackage
        path (which may not exist yet), a ``postgresql://`` URL or an opened store.
    options
        Import options.
    names
        Display names of the files (the page passes the uploaded names).

    Raises
    ------
    ClspdGeoError
        A file cannot be used at all, or no row is acceptable; the message is in French.
    """
    options = options or ImportOptions()
    if kind not in BUILDERS:
        msg = (f"Type d'import « {kind} » inconnu. Types possibles : {', '.join(KINDS)}.")
        raise SchemaError(msg)
    if not paths:
        raise DataFileError("Aucun fichier à importer.")
    if options.mode == "upsert" and kind not in UPSERT_KINDS:
        msg = (f"Le mode « ajouter / mettre à jour » ne concerne que les faits et incidents, "
               f"pas l'import « {kind} » : choisissez « Remplacer » ou « Compléter » "
               "(--replace ou --append).")
        raise SchemaError(msg)
    for p in paths:  # every size before any reading: one huge file stops everything
        sniffing.check_size(Path(p), max_bytes=options.max_bytes)
    store_path = _target(store_path)
    st = _open(store_path)
    version = _version(store_path, st)  # before any read the import depends on
    _, layers = _read_store(st)
    ctx = Context(options, territoire=layers.get("territoire"),
                  quartiers=layers.get("quartiers"))
    if kind == "boundaries":  # a new territory is not checked against the old one
        ctx = Context(options)
    if options.isolated:  # the file decides the memory: read it in a limited child process
        read = worker.read_sources(paths, names=names, max_bytes=options.max_bytes)
    else:
        read = [sniffing.open_source(Path(p), max_bytes=options.max_bytes) for p in paths]
    sources = []
    for i, (p, src) in enumerate(zip(paths, read)):
        if names is not None:
            src = sniffing.Source(Path(names[i]), src.frame, src.lines, src.format,
                                  src.encoding, src.separator, src.max_bytes, Path(p))
        sources.append(src)
    log = RowLog()
    built = BUILDERS[kind](sources, ctx, log)
    kept: dict[str, int] = {}
    frames = {layer: _finish(layer, gdf, log, st, options, kept)
              for layer, gdf in built.items()}
    files = tuple(FileInfo(s.name, s.format, s.encoding, s.separator, log.crs.get(s.name),
                           len(s.frame), log.roles.get(s.name, "")) for s in sources)
    report = ImportReport(
        kind=kind, files=files, frames=frames,
        rows_read=sum(len(s.frame) for s in sources), rejected=log.rejected_frame(),
        fixes=dict(log.fixes), flags=dict(log.flags), notes=tuple(log.notes),
        filtered_out=log.filtered_out, unmapped=dict(log.unmapped.most_common()),
        kept=kept, mode=options.mode, store_version=version,
        store_location=_location(store_path))
    if report.accepted == 0:
        raise SchemaError(_nothing_accepted(report))
    return report


def _finish(layer: str, gdf: gpd.GeoDataFrame, log: RowLog,
            st: store_mod.Store | None, options: ImportOptions,
            kept: dict[str, int]) -> gpd.GeoDataFrame:
    """Drop rejected rows and duplicate ids, merge for append, conform and validate.

    In append mode the store's rows come first and their count goes in ``kept``; an upsert
    reads nothing from the store (the store matches identifiers when committing).
    """
    sch = schemas.schema(layer)
    if gdf is None or gdf.empty:
        return schemas.empty(sch)
    gdf = gdf[~log.rejected_mask(gdf["_file"], gdf["_line"])]
    idc = sch.id_column
    if idc and idc in gdf.columns:
        missing = gdf[idc].isna()
        for f, n in zip(gdf.loc[missing, "_file"], gdf.loc[missing, "_line"]):
            log.reject(f, [n], f"identifiant « {idc} » absent")
        gdf = gdf[~missing]
        ids = gdf[idc].astype(str)
        dup = ids.duplicated()
        if dup.any():
            first = gdf["_line"][~dup].groupby(ids[~dup]).first()
            for f, n, i in zip(gdf.loc[dup, "_file"], gdf.loc[dup, "_line"], ids[dup]):
                log.reject(f, [n], f"identifiant « {i} » en double (déjà vu ligne {first[i]})")
        gdf = gdf[~dup]
    gdf = gdf.drop(columns=["_file", "_line"])
    if options.mode == "append" and st is not None and st.has(layer):
        old = st.read(layer)
        if idc:
            clash = gdf[idc].astype(str).isin(old[idc].astype(str))
            if clash.any():
                n = int(clash.sum())
                msg = (f"{_format.count(n, 'identifiant')} de « {idc} » "
                       f"{_format.plural(n, 'existe', 'existent')} déjà dans la "
                       f"couche « {layer} » (par ex. {gdf.loc[clash, idc].iloc[0]}). "
                       "Utilisez --replace pour remplacer la couche, ou changez les "
                       "identifiants.")
                raise SchemaError(msg)
        kept[layer] = len(old)
        gdf = pd.concat([old, gdf], ignore_index=True)
    gdf = gpd.GeoDataFrame(gdf.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")
    out = schemas.conform(gdf, sch)
    schemas.validate(out, sch)
    return out


def _nothing_accepted(report: ImportReport) -> str:
    names = ", ".join(f"« {f.name} »" for f in report.files)
    if report.n_rejected:
        top = report.reasons().head(3)
        first = report.rejected.iloc[0]
        why = " ; ".join(f"{r.motif} ({_format.count(r.lignes, 'ligne')})"
                         for r in top.itertuples())
        notes = f" ({' ; '.join(report.notes)})" if report.notes else ""
        return (f"Aucune ligne de {names} n'a pu être acceptée : {why}{notes}. Première "
                f"ligne rejetée : {first.fichier}, ligne {first.ligne}. Corrigez le fichier "
                "puis relancez l'import ; la base n'a pas été modifiée.")
    if report.filtered_out:
        return (f"Aucune ligne de {names} ne concerne la commune demandée "
                f"({_format.count(report.filtered_out, 'ligne écartée')}). "
                "Vérifiez le code INSEE donné "
                "avec --commune ; la base n'a pas été modifiée.")
    return f"Aucune donnée utilisable dans {names} ; la base n'a pas été modifiée."


def source_label(report: ImportReport) -> str:
    """Return the provenance text recorded with the layers."""
    names = ", ".join(f.name for f in report.files)
    day = dt.date.today().isoformat()
    n, fixed, rejected = report.accepted, report.n_fixed, report.n_rejected
    return (f"{names} (import « {report.kind} » du {day} : "
            f"{_format.count(n, 'ligne')} {_format.plural(n, 'acceptée')}, "
            f"{_format.number(fixed)} {_format.plural(fixed, 'corrigée')}, "
            f"{_format.number(rejected)} {_format.plural(rejected, 'rejetée')})")


def appended_source(st: store_mod.Store, report: ImportReport) -> str:
    """Return the provenance of an append: the layer's earlier sources, then this import.

    The « Données » page then names every file a layer was built from (collèges, then
    stations and bars added to them), not only the last one.
    """
    new = source_label(report)
    earlier = [p.source for layer in report.frames
               if st.has(layer) and (p := st.source_of(layer)) is not None]
    earlier = [s for s in dict.fromkeys(earlier) if s and s != new]
    return " + ".join([*earlier, new])


def commit(report: ImportReport, store_path: str | Path | store_mod.Store) -> dict[str, int]:
    """Write every accepted layer of ``report`` in one atomic step.

    A replacement (``--replace``) is written only if the store is still at the version
    the import was prepared from (``report.store_version``): otherwise
    :class:`~clspd_geo.errors.ConflictError` (« La base a changé pendant la préparation de
    l'import : relancez-le ; rien n'a été écrit »). An append (``--append``) adds the new
    rows to the layer as it is when committing, its identifiers checked then, so two
    appends started together both land. An upsert (``--upsert``) adds the rows of new
    identifiers and updates those already present, in one transaction
    (:meth:`~clspd_geo.store.base.Store.upsert`); rows identical to the stored ones change
    nothing, so importing the same month twice leaves the store and its version as they
    were. The rows changed go in ``report.changed``.

    Parameters
    ----------
    store_path
        A GeoPackage path (created if absent), a ``postgresql://`` URL or an opened store.

    Returns
    -------
    dict
        ``{layer: rows in the layer after the write}``.

    Raises
    ------
    ConflictError
        A replacement prepared from a version that is no longer current; nothing written.
    ClspdGeoError
        The store is unreadable or a layer breaks the data model; nothing is written.
    """
    store_path = _target(store_path)
    st = (store_mod.GeoPackageStore(store_path, create=True)
          if isinstance(store_path, (str, Path)) else store_path)
    if report.mode == "append":
        added = {layer: report.new_rows(layer) for layer in report.frames}
        return st.append_many(added, source=appended_source(st, report))
    if report.mode == "upsert":
        source = appended_source(st, report)
        # One layer per upsert kind (UPSERT_KINDS): one transaction for the import.
        for layer, gdf in report.frames.items():
            report.changed[layer] = st.upsert(layer, gdf, source=source)
        return {layer: st.count(layer) for layer in report.frames}
    same = report.store_location is not None and report.store_location == _location(st)
    st.write_many(report.frames, source=source_label(report),
                  expected_version=report.store_version if same else None)
    return {layer: len(gdf) for layer, gdf in report.frames.items()}


def run(kind: str, paths: Sequence[str | Path], *, store_path: str | Path | store_mod.Store,
        options: ImportOptions | None = None, dry_run: bool = False) -> ImportReport:
    """Prepare an import and, unless ``dry_run``, write it; return the report.

    The rows of each layer after the write are in ``report.written`` (empty on a dry run).
    """
    report = prepare(kind, paths, store_path=store_path, options=options)
    if not dry_run:
        report.written.update(commit(report, store_path))
    return report
