#!/usr/bin/env bash
# Install what the tests need and run the whole suite (arguments go to pytest).
# System packages the tests need are installed below when missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_env.sh requirements-dev.txt
# System packages the tests use: Chromium (browser tests), PostgreSQL + PostGIS (the PostGIS
# store's tests start their own throw-away server on 127.0.0.1), poppler-utils (pdftoppm renders
# the council reports to PNG in tests/reports). Installed as root when missing.
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium fonts-dejavu-core"
command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
[ -x /usr/lib/postgresql/15/bin/initdb ] || need="$need postgresql-15"
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need="$need postgresql-15-postgis-3"
if [ -n "$need" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installation des paquets système des tests :$need"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
