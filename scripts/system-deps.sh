#!/usr/bin/env bash
# Install the system libraries ldapply needs but a virtual environment cannot: Pango for WeasyPrint,
# HarfBuzz's subsetter (letters render 2.5x faster with it), and, for tests, Chromium and fonts.
# Uses apt-get when this machine allows it; otherwise names the packages and stops.
set -euo pipefail
want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
[ "${1:-}" = "--test" ] && want+=(chromium)

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v apt-get >/dev/null && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "ldapply needs these system packages, which this script cannot install here:" >&2
  echo "    ${missing[*]}" >&2
  echo "On Debian or Ubuntu: sudo apt-get install ${missing[*]}" >&2
  echo "Elsewhere, see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html#installation" >&2
  exit 1
fi
