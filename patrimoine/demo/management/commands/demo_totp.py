"""Print the current TOTP code of the demo's administrators (their published demo secret)."""

from base64 import b32decode

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from patrimoine.demo.data.organisations import TOTP_SECRET


class Command(BaseCommand):
    help = "Affiche le code de double authentification courant des administrateurs de démonstration."

    def handle(self, *args, **options):
        totp = TOTP(b32decode(TOTP_SECRET))
        remaining = 30 - int(totp.time) % 30
        self.stdout.write(f"{totp.token():06d}  (valable encore {remaining} s ; secret de démonstration {TOTP_SECRET})")
