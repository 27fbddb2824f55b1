"""The library never imports Streamlit: only app.py, ui/ and pages/ may."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Imports the package and every module under it (found with pkgutil, none skipped), then
# prints what it imported and whether Streamlit came along.
_SCRIPT = """
import contextlib, importlib, io, json, pkgutil, sys
import clspd_geo
names = []
for info in pkgutil.walk_packages(clspd_geo.__path__, prefix="clspd_geo."):
    if info.name.endswith(".__main__"):
        # Importing the entry point runs the command line; ask it for --help only.
        sys.argv = ["python -m clspd_geo", "--help"]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            importlib.import_module(info.name)
    else:
        importlib.import_module(info.name)
    names.append(info.name)
leaked = sorted(m for m in sys.modules if m == "streamlit" or m.startswith("streamlit."))
print(json.dumps({"modules": names, "streamlit": leaked}))
"""


def test_no_library_module_imports_streamlit():
    on_disk = {p.stem for p in (ROOT / "clspd_geo").glob("*.py") if p.stem != "__init__"}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    found = {name.split(".")[1] for name in result["modules"]}
    assert not on_disk - found, f"modules the walk missed: {on_disk - found}"
    assert {"crs", "schemas", "store", "vocab"} <= found
    assert result["streamlit"] == [], result["streamlit"]
