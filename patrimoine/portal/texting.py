"""Texting the counter's receipt: French mobile numbers, the short message, and a generic HTTPS gateway.

Sending goes through django-sms (`sms.Message`), whose backend comes from SMS_BACKEND: the demo writes
to var/sms/ (`sms.backends.filebased.SmsBackend`), the tests may keep messages in memory
(`sms.backends.locmem.SmsBackend`), production posts to an SMS gateway with `HttpGatewayBackend`
below. Most French gateways take one HTTPS POST with a token and a small JSON body: the body is a
template (SMS_GATEWAY_TEMPLATE) whose strings may hold $to, $text and $sender, filled after parsing,
so a message can never break the JSON.
"""

import json
import string
import unicodedata

import phonenumbers
import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from sms.backends.base import BaseSmsBackend

SMS_MAX = 160  # one GSM 03.38 message
# GSM 03.38 basic alphabet (one septet each) and its extension table (two septets each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€")
MOBILE_ERROR = gettext_lazy(
    "Ce numéro n'est pas un numéro de mobile français : indiquez un numéro en 06 ou 07 "
    "(ou +33 6, +33 7) pour envoyer un SMS."
)


class SmsGatewayError(Exception):
    """The gateway did not take the message (unreachable, refused, or an error answer)."""


def french_mobile(value: str) -> str | None:
    """The number in E.164 (+33612345678) when `value` is a French mobile (06, 07, +33 6/7), else None."""
    try:
        number = phonenumbers.parse((value or "").strip(), "FR")
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.region_code_for_number(number) != "FR" or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """+33612345678 → 06 12 34 56 78 (as a person reads it back)."""
    return phonenumbers.format_number(phonenumbers.parse(e164, "FR"), phonenumbers.PhoneNumberFormat.NATIONAL)


def masked(e164: str) -> str:
    """06 •• •• •• 78: enough for the history to tell which number, without keeping it whole."""
    digits = national(e164).split(" ")
    return " ".join([digits[0], *["••"] * (len(digits) - 2), digits[-1]])


def gsm_safe(text: str) -> str:
    """The text in the GSM alphabet (160 characters a message instead of 70): « ’ » → « ' », « ê » → « e »…"""
    out = []
    for char in text.replace("’", "'").replace("«", '"').replace("»", '"').replace("\u202f", " "):
        if char in GSM_BASIC or char in GSM_EXTENDED:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)[0]
        out.append(base if base in GSM_BASIC else "?")
    return "".join(out)


def gsm_length(text: str) -> int:
    return sum(2 if char in GSM_EXTENDED else 1 for char in text)


def receipt_text(*, organisation_name: str, reference: str, url: str) -> str:
    """The receipt in one SMS: the reference and the tracking link (the organisation's name if it fits)."""
    text = gsm_safe(
        _("%(organisation)s : demande %(reference)s enregistrée. Suivi : %(url)s")
        % {"organisation": organisation_name, "reference": reference, "url": url}
    )
    if gsm_length(text) > SMS_MAX:
        text = gsm_safe(_("Demande %(reference)s enregistrée. Suivi : %(url)s") % {"reference": reference, "url": url})
    return text


def _fill(template, values: dict):
    if isinstance(template, str):
        return string.Template(template).safe_substitute(values)
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    return template


class HttpGatewayBackend(BaseSmsBackend):
    """django-sms backend for an HTTPS SMS gateway: one JSON POST per recipient (SMS_GATEWAY_*)."""

    def send_messages(self, messages) -> int:
        sent = 0
        for message in messages:
            for recipient in message.recipients:
                try:
                    self._post(recipient, message.body, message.originator)
                except SmsGatewayError:
                    if not self.fail_silently:
                        raise
                    continue
                sent += 1
        return sent

    def _post(self, recipient: str, text: str, sender: str) -> None:
        body = _fill(json.loads(settings.SMS_GATEWAY_TEMPLATE), {"to": recipient, "text": text, "sender": sender})
        headers = {"Accept": "application/json"}
        if settings.SMS_GATEWAY_TOKEN:
            value = f"{settings.SMS_GATEWAY_AUTH_SCHEME} {settings.SMS_GATEWAY_TOKEN}".strip()
            headers[settings.SMS_GATEWAY_AUTH_HEADER] = value
        try:
            response = requests.post(
                settings.SMS_GATEWAY_URL, json=body, headers=headers, timeout=settings.SMS_GATEWAY_TIMEOUT
            )
        except requests.RequestException as error:
            raise SmsGatewayError(_("passerelle SMS injoignable")) from error
        if not response.ok:
            raise SmsGatewayError(_("la passerelle SMS a répondu %(status)s") % {"status": response.status_code})
