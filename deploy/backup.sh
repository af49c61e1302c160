#!/bin/sh
# Sauvegarde quotidienne (patrimoine-backup.timer) : un dossier daté dans BACKUP_DIR, puis effacement
# des sauvegardes (quotidiennes et d'avant mise à jour) de plus de BACKUP_KEEP_DAYS jours (14).
# Chiffrée si BACKUP_KEY est défini. Copiez BACKUP_DIR hors de la machine (rsync, borg…).
set -eu
: "${BACKUP_DIR:?BACKUP_DIR n est pas défini dans le fichier d environnement}"
keep="${BACKUP_KEEP_DAYS:-14}"
python="${PATRIMOINE_VENV:-/srv/patrimoine/venv}/bin/python"
cd "$(dirname "$0")/.."
"$python" manage.py backup "$BACKUP_DIR/quotidienne-$(date +%Y-%m-%d-%H%M%S)"
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d \( -name 'quotidienne-*' -o -name 'avant-mise-a-jour-*' \) \
  -mtime +"$keep" -exec rm -rf {} +
