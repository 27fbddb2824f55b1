"""The ``report`` and ``export-qgis`` commands (clspd_geo.cli.reports)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyogrio
import pytest

from clspd_geo import demo
from clspd_geo.access.view import RoleView
from clspd_geo.cli import main as cli
from clspd_geo.store import GeoPackageStore


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "s.gpkg"
    demo.install(GeoPackageStore(path, create=True), seed=1, n_incidents=500)
    return path


def period(text: str) -> tuple[dt.date, dt.date]:
    args = cli.build_parser().parse_args(["report", "--out", "r.pdf", "--period", text])
    return args.period


def test_period_includes_both_days() -> None:
    assert period("2025-01-01:2025-12-31") == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert period(" 2025-02-28 : 2025-02-28") == (dt.date(2025, 2, 28), dt.date(2025, 3, 1))


@pytest.mark.parametrize(("text", "message"), [
    ("2025-01-01", "période invalide « 2025-01-01 » : écrivez DEBUT:FIN en AAAA-MM-JJ"),
    ("2025-12-31:2025-01-01", "période « 2025-12-31:2025-01-01 » : la fin précède le début"),
])
def test_bad_period_in_french(text: str, message: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--out", "r.pdf", "--period", text]) == 2
    assert message in capsys.readouterr().err


def test_plenary_report_written_as_pdf(small_store: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rapport.pdf"
    assert cli.main(["report", "--store", str(small_store), "--out", str(out),
                     "--period", "2025-01-01:2025-12-31"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages > 1
    printed = capsys.readouterr().out
    assert re.fullmatch(rf"Rapport écrit dans « {re.escape(str(out))} » : {pages} pages, "
                        r"\d+,\d Mo, \d+,\d s\.\n", printed), printed


def test_barometer_and_bad_period(small_store: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "barometre.pdf"
    assert cli.main(["report", "--store", str(small_store), "--out", str(out), "--kind",
                     "barometre", "--role", "elu", "--period", "2025-01-01:2025-06-30"]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Rapport écrit dans" in capsys.readouterr().out
    assert cli.main(["report", "--store", str(small_store), "--out", str(out),
                     "--period", "2025-12-31:2025-01-01"]) == 2
    assert "la fin précède le début" in capsys.readouterr().err
    assert cli.main(["report", "--store", str(small_store), "--out", str(out), "--period",
                     "2025-01-01:2025-12-31", "--role", "exploitant"]) == 2


def test_export_qgis_writes_the_layers_the_role_sees(small_store: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "qgis.gpkg"
    assert cli.main(["export-qgis", "--store", str(small_store), "--out", str(out),
                     "--role", "elu"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"GeoPackage stylé écrit dans « {out} » pour le rôle « Élu » :"
    printed = {line.split()[0]: int(line.split()[1].replace("\u202f", "")) for line in lines[1:]}
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert set(printed) <= layers and "layer_styles" in layers
    view = RoleView(GeoPackageStore(small_store), "elu")
    for name, n in printed.items():
        assert len(view.layer(name)) == n, name
    assert "cameras" not in printed  # the elected member does not see the cameras
