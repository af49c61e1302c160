#!/bin/sh
# manage.py de l'instance, avec son fichier d'environnement et en tant qu'utilisateur du service :
#   /srv/patrimoine/app/deploy/manage.sh upgrade
#   /srv/patrimoine/app/deploy/manage.sh createsuperuser
set -eu
env_file="${PATRIMOINE_ENV_FILE:-/etc/patrimoine/patrimoine.env}"
user="${PATRIMOINE_USER:-patrimoine}"
if [ "$(id -un)" != "$user" ]; then
  exec runuser -u "$user" -- "$0" "$@"
fi
set -a
. "$env_file"
set +a
cd "$(dirname "$0")/.."
exec "${PATRIMOINE_VENV:-/srv/patrimoine/venv}/bin/python" manage.py "$@"
