#!/usr/bin/env bash
# Create .venv with Python 3.11 and install the given requirements file, once per change
# of that file (a stamp records its hash). Sourced by run_app.sh and run_tests.sh.
set -euo pipefail
req="${1:-requirements.txt}"
py="$(command -v python3.11 || command -v python3)"
if [ ! -x .venv/bin/python ]; then
  echo "Création de l'environnement Python (.venv)…"
  "$py" -m venv .venv
fi
stamp=".venv/.installed-$(basename "$req")"
want="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installation des dépendances ($req)…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
