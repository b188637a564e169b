#!/usr/bin/env bash
# Checks that every SMI plugin module given exports exactly one dynamic symbol, smi_plugin_init
# (smi.h: a plugin library exports nothing else, so plugins cannot clash with each other or with
# the host). Usage: check_plugin_exports.sh MODULE.so...
set -euo pipefail
status=0
for module in "$@"; do
  exported=$(nm -D --defined-only "$module" | awk '{print $3}' | sort | tr '\n' ' ')
  if [[ "$exported" != "smi_plugin_init " ]]; then
    echo "FAIL $module exports: ${exported:-nothing}" | cut -c1-2000
    status=1
  else
    echo "ok   $module exports only smi_plugin_init"
  fi
done
exit $status
