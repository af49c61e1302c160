"""`manage.py upgrade`: check the configuration, back up, migrate, collect static files, report.

The one command an administrator runs after installing a new release (deploy/README.md). It stops
before touching the database when the configuration has errors or the backup fails.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patrimoine.deploy import upgrade
from patrimoine.deploy.models import Upgrade
from patrimoine.deploy.version import code_version


class Command(BaseCommand):
    help = (
        "Met à jour l'instance : vérifie la configuration (check --deploy), sauvegarde, applique les "
        "migrations, collecte les fichiers statiques et dit ce qui a changé."
    )
    requires_system_checks = []  # the command runs the checks itself, deployment checks included

    def add_arguments(self, parser):
        parser.add_argument(
            "--backup-dir",
            default=getattr(settings, "BACKUP_DIR", ""),
            help="dossier où écrire la sauvegarde d'avant mise à jour (défaut : BACKUP_DIR)",
        )
        parser.add_argument(
            "--no-backup", action="store_true", help="ne pas sauvegarder (poste de développement seulement)"
        )

    def handle(self, *args, backup_dir="", no_backup=False, **options):
        started, clock = timezone.now(), time.perf_counter()
        if not no_backup and not backup_dir:
            raise CommandError(_("Indiquez où sauvegarder : --backup-dir ou la variable BACKUP_DIR (ou --no-backup)."))
        report = upgrade.Report(previous_version=upgrade.previous_version(), version=code_version())

        errors, report.warnings = upgrade.configuration_issues(production=settings.PRODUCTION)
        if errors:
            raise CommandError(
                _("La configuration a des erreurs : rien n'a été modifié.\n%(errors)s")
                % {"errors": "\n".join(f"  {issue}" for issue in errors)}
            )
        pending = upgrade.pending_migrations()

        if not no_backup:
            report.backup = upgrade.backup_folder(Path(backup_dir), timezone.localtime(started))
            try:
                call_command("backup", str(report.backup), stdout=self.stdout, stderr=self.stderr)
            except (CommandError, OSError) as error:
                raise CommandError(
                    _("La sauvegarde a échoué : rien n'a été migré. %(error)s") % {"error": error}
                ) from error

        try:
            call_command("migrate", interactive=False, verbosity=0, stdout=self.stdout, stderr=self.stderr)
        except Exception as error:  # noqa: BLE001 — whatever failed, say where the backup is
            raise CommandError(
                _(
                    "Une migration a échoué : %(error)s\nLes migrations appliquées avant elle le restent. "
                    "La sauvegarde d'avant la mise à jour : %(backup)s (manage.py restore)."
                )
                % {"error": error, "backup": report.backup or _("aucune (--no-backup)")}
            ) from error
        report.migrations = pending
        left = upgrade.pending_migrations()
        if left:
            raise CommandError(_("Migrations encore en attente : %(names)s") % {"names": ", ".join(left)})

        before = upgrade.static_manifest()
        call_command("collectstatic", interactive=False, verbosity=0, stdout=self.stdout, stderr=self.stderr)
        report.static = upgrade.static_changes(before, upgrade.static_manifest())

        Upgrade.objects.create(
            previous_version=report.previous_version or "",
            version=report.version,
            started_at=started,
            finished_at=timezone.now(),
            migrations=report.migrations,
            static_changed=report.static.count,
            backup_folder=str(report.backup or ""),
        )
        self._write(report, time.perf_counter() - clock)

    def _write(self, report: upgrade.Report, seconds: float) -> None:
        out = self.stdout.write
        out(_("Mise à jour de Patrimoine"))
        out(
            _("  Version : %(before)s → %(after)s")
            % {"before": report.previous_version or _("inconnue (première mise à jour)"), "after": report.version}
        )
        out(
            ngettext(
                "  Configuration (check --deploy) : aucune erreur, %(n)d avertissement",
                "  Configuration (check --deploy) : aucune erreur, %(n)d avertissements",
                len(report.warnings),
            )
            % {"n": len(report.warnings)}
        )
        for issue in report.warnings:
            out(f"    - {issue}")
        out(
            _("  Sauvegarde : %(folder)s") % {"folder": report.backup}
            if report.backup
            else _("  Sauvegarde : aucune (--no-backup)")
        )
        if report.migrations:
            out(
                ngettext("  Migration appliquée (%(n)d) :", "  Migrations appliquées (%(n)d) :", len(report.migrations))
                % {"n": len(report.migrations)}
            )
            for name in report.migrations:
                out(f"    - {name}")
        else:
            out(_("  Migrations : aucune à appliquer"))
        static = report.static
        if static.hashed:
            out(
                _(
                    "  Fichiers statiques : %(changed)d modifiés, %(added)d nouveaux, %(removed)d supprimés "
                    "(%(total)d en tout)"
                )
                % {"changed": static.changed, "added": static.added, "removed": static.removed, "total": static.total}
            )
        else:
            out(_("  Fichiers statiques : collectés (stockage sans noms hachés)"))
        duration = f"{seconds:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(_("Mise à jour terminée en %(seconds)s s.") % {"seconds": duration}))
