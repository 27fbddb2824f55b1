"""The import report: what was read, accepted, fixed, flagged and rejected, in French.

Every step of an import writes into one :class:`RowLog` (rejections keyed by file line,
fixes and flags with their counts); :class:`ImportReport` is the frozen result the command
line prints and the "Données" page lays out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from clspd_geo import _format


@dataclass(frozen=True)
class FileInfo:
    """What was detected about one input file."""

    name: str
    format: str
    encoding: str | None = None
    separator: str | None = None
    crs: str | None = None
    rows: int = 0
    role: str = ""

    def describe(self) -> str:
        """Return a one-line French description."""
        parts = [f"format {self.format}"]
        if self.role:
            parts.append(self.role)
        if self.encoding:
            parts.append(f"encodage {self.encoding}")
        if self.separator:
            label = {"\t": "tabulation"}.get(self.separator, self.separator)
            parts.append(f"séparateur « {label} »")
        if self.crs:
            parts.append(f"coordonnées {self.crs}")
        parts.append(_format.count(self.rows, "ligne"))
        return f"{self.name} : " + ", ".join(parts)


class RowLog:
    """Collects, while rows are processed, which are rejected and what was fixed.

    Rows are identified by ``(file name, line number)``; the first rejection reason of a
    row is kept (later steps skip rows already rejected).
    """

    def __init__(self) -> None:
        self._rejected: dict[tuple[str, int], str] = {}
        self.fixes: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.notes: list[str] = []
        self.filtered_out = 0
        self.unmapped: Counter[str] = Counter()
        self.crs: dict[str, str] = {}
        self.roles: dict[str, str] = {}

    def reject(self, file: str, lines: pd.Series | list[int], reason: str) -> None:
        """Reject the rows at these file lines for ``reason`` (kept if first)."""
        for line in list(lines):
            self._rejected.setdefault((file, int(line)), reason)

    def fix(self, description: str, count: int = 1) -> None:
        """Record ``count`` rows (or cells) fixed as described."""
        if count:
            self.fixes[description] += int(count)

    def flag(self, description: str, count: int = 1) -> None:
        """Record ``count`` rows accepted but flagged (e.g. just outside the territory)."""
        if count:
            self.flags[description] += int(count)

    def note(self, text: str) -> None:
        """Record a remark (an assumption, a default value used)."""
        if text not in self.notes:
            self.notes.append(text)

    def is_rejected(self, file: str, line: int) -> bool:
        """Tell whether a row is already rejected."""
        return (file, int(line)) in self._rejected

    def rejected_mask(self, files: pd.Series, lines: pd.Series) -> pd.Series:
        """Return True for the rows (given by file and line) already rejected (vectorised)."""
        out = pd.Series(False, index=files.index)
        by_file: dict[str, set[int]] = {}
        for f, n in self._rejected:
            by_file.setdefault(f, set()).add(n)
        for f, numbers in by_file.items():
            out |= (files == f) & lines.isin(numbers)
        return out

    def rejected_frame(self) -> pd.DataFrame:
        """Return the rejected rows as a frame (fichier, ligne, motif), sorted."""
        rows = [{"fichier": f, "ligne": n, "motif": r} for (f, n), r in self._rejected.items()]
        df = pd.DataFrame(rows, columns=["fichier", "ligne", "motif"])
        return df.sort_values(["fichier", "ligne"], ignore_index=True)


@dataclass(frozen=True)
class ImportReport:
    """The result of preparing an import (nothing is written yet).

    Attributes
    ----------
    kind
        What was imported (``accidents``, ``cameras``...).
    files
        What was detected in each file.
    frames
        The accepted rows, per store layer, in EPSG:4326, ready for ``store.write_many``.
    rows_read
        Data rows read from the main files.
    rejected
        One row per rejected line: ``fichier``, ``ligne``, ``motif`` (French reason).
    fixes, flags
        ``{description: count}`` of automatic corrections and of accepted-but-flagged rows.
    notes
        Assumptions made (default values), in French.
    filtered_out
        Rows left aside on purpose by a filter (``--commune``), not errors.
    unmapped
        ``{local label: count}`` of category labels with no correspondence.
    kept
        ``{layer: rows}`` already in the store and kept in front of the new rows
        (``--append``); ``frames`` then holds the whole new layer.
    mode
        ``"replace"``, ``"append"`` or ``"upsert"``: how
        :func:`clspd_geo.importing.pipeline.commit` writes (an append adds :meth:`new_rows`
        to the layer as it is when committing; an upsert adds or updates them by
        identifier).
    store_version
        The store's version the import was prepared from (``None``: no store); a
        replacement into that same store (``store_location``) is refused if the store
        changed since.
    written
        ``{layer: rows in the layer after the write}``, filled by
        :func:`clspd_geo.importing.pipeline.run` once written.
    changed
        ``{layer: rows added or updated}`` by an upsert, filled by
        :func:`clspd_geo.importing.pipeline.commit` (rows identical to the stored ones are
        not counted: re-importing the same month gives 0).
    """

    kind: str
    files: tuple[FileInfo, ...]
    frames: dict[str, gpd.GeoDataFrame]
    rows_read: int
    rejected: pd.DataFrame
    fixes: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    filtered_out: int = 0
    unmapped: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    mode: str = "replace"
    store_version: str | None = None
    store_location: str | None = None
    written: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)

    def new_rows(self, layer: str) -> gpd.GeoDataFrame:
        """Return the rows of ``layer`` this import adds (without those kept by append)."""
        return self.frames[layer].iloc[self.kept.get(layer, 0):]

    @property
    def accepted(self) -> int:
        """Number of rows accepted from the files, over all layers."""
        return sum(len(self.new_rows(name)) for name in self.frames)

    @property
    def n_rejected(self) -> int:
        """Number of rejected rows."""
        return len(self.rejected)

    @property
    def n_fixed(self) -> int:
        """Number of automatic corrections."""
        return sum(self.fixes.values())

    def summary(self) -> str:
        """Return the one-line French summary: « 1 ligne acceptée », « 3 lignes acceptées »."""
        layers = ", ".join(self._layer_summary(name) for name in self.frames)
        n, fixed, rejected = self.accepted, self.n_fixed, self.n_rejected
        text = (f"{_format.count(n, 'ligne')} {_format.plural(n, 'acceptée')} ({layers}), "
                f"{_format.count(fixed, 'correction')}, "
                f"{_format.count(rejected, 'ligne')} {_format.plural(rejected, 'rejetée')}")
        if self.filtered_out:
            out = self.filtered_out
            text += (f", {_format.number(out)} {_format.plural(out, 'écartée')} "
                     "par le filtre de commune")
        return text + "."

    def _layer_summary(self, name: str) -> str:
        """Return « couche : n » for the summary, with the rows kept by an append."""
        added = len(self.new_rows(name))
        text = f"{name} : {_format.number(added)}"
        if name in self.kept:
            kept = self.kept[name]
            before = (f"aux {_format.number(kept)} existantes" if kept >= 2
                      else f"à {_format.number(kept)} existante")
            text += f", {_format.plural(added, 'ajoutée')} {before}"
        elif self.mode == "upsert":
            text += (f", {_format.plural(added, 'ajoutée')} ou "
                     f"{_format.plural(added, 'mise')} à jour par identifiant")
        return text

    def to_text(self, *, max_rejected: int = 30) -> str:
        """Return the full report as French plain text (what the command line prints)."""
        out = [f"Import « {self.kind} »", ""]
        out += ["Fichiers :"] + [f"  - {f.describe()}" for f in self.files] + [""]
        out.append(self.summary())
        if self.fixes:
            out += ["", "Corrections automatiques :"]
            out += [f"  - {desc} : {n}" for desc, n in self.fixes.items()]
        if self.flags:
            out += ["", "Lignes acceptées mais signalées :"]
            out += [f"  - {desc} : {n}" for desc, n in self.flags.items()]
        if self.unmapped:
            out += ["", "Libellés sans correspondance (ajoutez-les au fichier de correspondance) :"]
            out += [f"  - « {label} » : {_format.count(n, 'ligne')}"
                    for label, n in self.unmapped.items()]
        if self.notes:
            out += ["", "Hypothèses :"] + [f"  - {n}" for n in self.notes]
        if self.n_rejected:
            out += ["", "Lignes rejetées :"]
            shown = self.rejected.head(max_rejected)
            out += [f"  - {r.fichier}, ligne {r.ligne} : {r.motif}" for r in shown.itertuples()]
            if self.n_rejected > max_rejected:
                more = self.n_rejected - max_rejected
                out.append(f"  … et {_format.count(more, 'autre')} "
                           "(liste complète sur la page « Données »).")
        return "\n".join(out)

    def reasons(self) -> pd.DataFrame:
        """Return the rejection reasons with their counts, most frequent first."""
        counts = self.rejected["motif"].value_counts()
        return counts.rename_axis("motif").reset_index(name="lignes")
