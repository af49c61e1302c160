#!/bin/sh
# Redémarre les serveurs d'application un par un : chacun ne repart que quand le précédent répond à
# nouveau sur /healthz ; nginx envoie entre-temps les requêtes aux autres. Puis le worker et le
# planificateur (une tâche en cours se termine avant l'arrêt).
#   deploy/rolling-restart.sh            # les instances actives patrimoine-web@*
#   deploy/rolling-restart.sh 8001 8002  # ces ports-là
set -eu
env_file="${PATRIMOINE_ENV_FILE:-/etc/patrimoine/patrimoine.env}"
host=$(sed -n 's/^ALLOWED_HOSTS=//p' "$env_file" | tr -d '"' | cut -d, -f1)
ports="$*"
if [ -z "$ports" ]; then
  ports=$(systemctl list-units --state=active --plain --no-legend 'patrimoine-web@*.service' \
    | sed -n 's/^patrimoine-web@\([0-9]*\)\.service.*/\1/p')
fi
for port in $ports; do
  echo "patrimoine-web@$port : redémarrage…"
  systemctl restart "patrimoine-web@$port"
  tries=0
  until curl -fsS -o /dev/null -H "Host: $host" "http://127.0.0.1:$port/healthz"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
      echo "patrimoine-web@$port ne répond pas après 60 s : arrêt du redémarrage progressif." >&2
      exit 1
    fi
    sleep 1
  done
  echo "patrimoine-web@$port : prêt."
done
systemctl restart patrimoine-worker.service patrimoine-scheduler.service
echo "Worker et planificateur redémarrés."
