#!/usr/bin/env bash
# Install what the app needs and start it. On first start, with no store, the app builds
# the fictitious demo territory in data/clspd.gpkg.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_env.sh requirements.txt
exec .venv/bin/python -m streamlit run app.py \
  --server.address "${CLSPD_ADDRESS:-127.0.0.1}" --server.port "${CLSPD_PORT:-8501}" "$@"
