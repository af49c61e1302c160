"""`manage.py backup <dir>`: the database, the media files and a manifest of checksums."""

from django.core.management.base import BaseCommand, CommandError

from patrimoine.trust.backup import BackupError, backup, load_key


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers dans un dossier (nouveau ou vide)."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="dossier de destination (nouveau ou vide)")
        parser.add_argument("--key-file", help="fichier contenant la clé Fernet (sinon la variable BACKUP_KEY)")
        parser.add_argument("--no-encrypt", action="store_true", help="ne pas chiffrer même si une clé est définie")
        parser.add_argument("--database", default="default")

    def handle(self, *args, folder, key_file=None, no_encrypt=False, database="default", **options):
        try:
            key = None if no_encrypt else load_key(key_file)
            result = backup(folder, key=key, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde {'chiffrée ' if manifest['encrypted'] else ''}écrite dans {folder} en "
                f"{result.seconds:.1f} s : {len(manifest['tables'])} tables, {rows} lignes, "
                f"{len(manifest['media'])} fichiers."
            )
        )
