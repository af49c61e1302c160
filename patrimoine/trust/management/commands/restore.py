"""`manage.py restore <dir>`: check the manifest's checksums, replace the database and the media
files by the backup, then compare every table and file with the manifest."""

from django.core.management.base import BaseCommand, CommandError

from patrimoine.trust.backup import BackupError, load_key, restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde : REMPLACE la base de données et les fichiers de l'instance."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="dossier écrit par manage.py backup")
        parser.add_argument("--key-file", help="fichier contenant la clé Fernet (sinon la variable BACKUP_KEY)")
        parser.add_argument("--database", default="default")
        parser.add_argument("--no-input", action="store_true", help="ne pas demander de confirmation")

    def handle(self, *args, folder, key_file=None, database="default", no_input=False, **options):
        if not no_input:
            answer = input("La base et les fichiers actuels seront remplacés. Tapez « oui » pour continuer : ")
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration abandonnée.")
        try:
            result = restore(folder, key=load_key(key_file), using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if result.mismatches:
            raise CommandError("Restauration incomplète : " + " ; ".join(result.mismatches))
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration terminée en {result.seconds:.2f} s : {len(manifest['tables'])} tables et "
                f"{len(manifest['media'])} fichiers identiques à la sauvegarde du {manifest['created_at']}."
            )
        )
