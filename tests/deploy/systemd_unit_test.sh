#!/usr/bin/env bash
# Usage: systemd_unit_test.sh UNIT CULPRITD EXAMPLE_CONFIG
# Fails naming each sandboxing setting the unit lacks, a systemd-analyze
# complaint, or an example config that does not check.
set -euo pipefail
unit="$1" culpritd="$(realpath "$2")" config="$3"
fail=0

# The settings the deployment promises (README, "Running as a service").
required=(
  "DynamicUser=yes"
  "SupplementaryGroups=adm"
  "StateDirectory=culprit"
  "ProtectSystem=strict"
  "ReadOnlyPaths=/var/log /etc/culprit"
  "NoNewPrivileges=yes"
  "CapabilityBoundingSet="
  "PrivateTmp=yes"
  "ProtectHome=yes"
  'ExecReload=/bin/kill -HUP $MAINPID'
  "RestartPreventExitStatus=1 2"
)
for setting in "${required[@]}"; do
  if ! grep -qxF "$setting" "$unit"; then
    echo "FAIL: $unit lacks the line: $setting" >&2
    fail=1
  fi
done
if grep -q '^CapabilityBoundingSet=.\+' "$unit"; then
  echo "FAIL: CapabilityBoundingSet must be empty" >&2
  fail=1
fi

# systemd's own parser, on a copy whose binary paths exist here.
if command -v systemd-analyze >/dev/null 2>&1; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  sed "s|/usr/local/bin/culpritd|$culpritd|g" "$unit" > "$tmp/culpritd.service"
  if ! out="$(systemd-analyze verify "$tmp/culpritd.service" 2>&1)"; then
    echo "FAIL: systemd-analyze verify:" >&2
    echo "$out" >&2
    fail=1
  elif echo "$out" | grep -Eq "Failed to parse|Unknown (key|section|lvalue)|Invalid|not executable|Missing"; then
    # verify exits 0 on settings it ignores: those are still mistakes.
    echo "FAIL: systemd-analyze verify:" >&2
    echo "$out" >&2
    fail=1
  elif [ -n "$out" ]; then
    # Other remarks are about this machine (no systemd running), not the unit.
    echo "systemd-analyze said (not failing):"
    echo "$out"
  fi
else
  echo "systemd-analyze not installed: syntax check skipped"
fi

# The config the unit starts with must check.
if ! "$culpritd" --check-config "$config" >/dev/null; then
  echo "FAIL: culpritd --check-config $config" >&2
  fail=1
fi
exit "$fail"
