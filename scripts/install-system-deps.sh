#!/usr/bin/env bash
# Debian packages some tests need: Chromium renders the quant HTML report in a test; redis-server backs
# the distributed optimizer's tests (they start their own server on a free loopback port). Installs only
# what is missing, and only where apt-get is available and we are root (CI and this project's machines).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: missing ${need[*]}; install them with your package manager" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
