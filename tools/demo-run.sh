#!/usr/bin/env bash
# `make demo`'s last step: the background worker (db_worker) and the periodic scheduler run beside
# the development server, and stop with it (Ctrl+C, or the server exiting).
# Usage: tools/demo-run.sh <python> <host:port>
set -euo pipefail
PY="$1"
ADDRESS="$2"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
"$PY" manage.py db_worker --no-reload --interval 2 &
pids+=("$!")
"$PY" manage.py maintenance_scheduler &
pids+=("$!")
echo "Tâches de fond : worker (pid ${pids[0]}) et planificateur (pid ${pids[1]}) démarrés."
"$PY" manage.py runserver "$ADDRESS"
