#!/usr/bin/env bash
# Install the system packages the test-suite needs, skipping what is already there.
# Each later issue adds its own block (PostgreSQL/PostGIS, Chromium).
set -euo pipefail
need=()
want() { dpkg -s "$1" >/dev/null 2>&1 || need+=("$1"); }
# Needed to run (`make run`): SpatiaLite for the embedded GeoPackage land-pool store.
want libsqlite3-mod-spatialite
if [ "${1:-test}" != run ]; then
  # Browser tests: Debian's Chromium, driven by Playwright (never a downloaded browser).
  want chromium
  want fonts-dejavu-core
  # Land-pool store tests on PostgreSQL + PostGIS (.ci/postgres.sh starts a cluster).
  want postgresql
  want postgresql-15-postgis-3
  # OGC API – Features client tests: GDAL's ogrinfo (OAPIF driver).
  want gdal-bin
fi
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "sysdeps: missing ${need[*]}; run 'make sysdeps' as root" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
