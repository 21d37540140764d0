#!/usr/bin/env bash
# Set up a fresh machine of this kind and run the whole test suite.
# torch first, pinned: 2.13.0 is a local CPU wheel here; an unpinned torch pulls GBs of CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q torch==2.13.0
python -m pip install -q -e ".[test,bench]"
if ! command -v chromium >/dev/null 2>&1; then
  # The browser tests drive Debian's chromium; playwright must not download its own.
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
export HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False
python -m pytest "$@"
