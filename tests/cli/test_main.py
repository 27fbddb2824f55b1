"""The command line's entry point (clspd_geo.cli.main): parser, French errors, exit codes."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest

from clspd_geo import demo
from clspd_geo.cli import main as cli
from clspd_geo.store import GeoPackageStore

COMMANDS = ["demo", "forecast", "import", "siting", "camera-plan", "users", "sectors",
            "patrol-brief", "report", "export-qgis"]


def test_every_command_registered_in_help_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(cli.COMMANDS) == len(COMMANDS)
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("utilisation : python -m clspd_geo [-h] COMMANDE ...")
    assert "commandes:" in out and "options:" in out
    listed = re.findall(r"^    (\S+)", out.split("COMMANDE\n", 2)[-1], flags=re.MULTILINE)
    assert listed == COMMANDS
    for name in COMMANDS:
        assert cli.main([name, "--help"]) == 0
        assert capsys.readouterr().out.startswith(f"utilisation : python -m clspd_geo {name}")


@pytest.mark.parametrize(("argv", "message"), [
    ([], "argument obligatoire manquant : COMMANDE"),
    (["voler"], "« voler » n'est pas une commande connue (commandes : 'demo', "),
    (["demo"], "argument obligatoire manquant : --store"),
    (["demo", "--store", "x.gpkg", "--bavard"], "argument inconnu : --bavard"),
    (["demo", "--store"], "l'option --store attend une valeur"),
    (["demo", "--store", "x.gpkg", "--seed", "-1"],
     "option --seed : la graine doit être compris entre 0 et 9\u202f223\u202f372\u202f036"),
    (["demo", "--store", "x.gpkg", "--incidents", "beaucoup"],
     "le nombre d'incidents doit être un nombre entier (reçu : « beaucoup »)"),
])
def test_usage_errors_in_french_with_exit_2(argv: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "erreur" in err and "Aide : python -m clspd_geo" in err
    assert "Traceback" not in err


def test_library_errors_disk_errors_and_interrupts(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.gpkg"
    text.write_text("pas une base\n", encoding="utf-8")
    assert cli.main(["demo", "--store", str(text), "--force"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and "n'est pas un GeoPackage" in err
    assert text.read_text(encoding="utf-8") == "pas une base\n"
    assert cli.main(["demo", "--store", str(text / "s.gpkg"), "--incidents", "10"]) == 2
    err = capsys.readouterr().err  # the store turns the disk error into its own message
    assert err.startswith("Erreur : Le fichier « ") and "n'a pas pu être écrit" in err

    def full_disk(**kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/data/x.gpkg")

    monkeypatch.setattr(cli.demo, "build_demo", full_disk)
    assert cli.main(["demo", "--store", str(tmp_path / "s.gpkg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur d'accès au disque (« /data/x.gpkg ») : plus de place sur le "
                          "disque. Vérifiez le chemin"), err
    assert "Traceback" not in err

    def interrupted(**kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.demo, "build_demo", interrupted)
    assert cli.main(["demo", "--store", str(tmp_path / "s.gpkg")]) == cli.EXIT_INTERRUPTED == 130
    assert capsys.readouterr().err == "Interrompu : aucun fichier n'a été modifié à moitié.\n"
    assert not (tmp_path / "s.gpkg").exists()


def test_demo_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.gpkg"
    demo.install(GeoPackageStore(path, create=True), seed=1, n_incidents=500)
    before = path.read_bytes()
    assert cli.main(["demo", "--store", str(path)]) == 2
    assert "existe déjà : il n'a pas été modifié" in capsys.readouterr().err
    assert path.read_bytes() == before
