"""Organisations, people, memberships, teams, labour rates, catalogue and contractors."""

from base64 import b32decode
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from patrimoine.accounts.models import User
from patrimoine.assets.models import EquipmentCategory
from patrimoine.contractors.models import Contractor
from patrimoine.costs.models import LabourRate
from patrimoine.demo.data import catalogue, organisations
from patrimoine.demo.data.organisations import EMAIL_DOMAIN
from patrimoine.demo.rows import ensure_rows
from patrimoine.organisations.models import Membership, Organisation, Team, TeamMember, Trade
from patrimoine.stock.models import Item

CENT = Decimal("0.01")


@dataclass
class Reference:
    """What the later steps need, keyed by the names used in the data modules."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    trades: dict[str, Trade] = field(default_factory=dict)
    categories: dict[str, EquipmentCategory] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)  # organisation slug → team
    members: dict[str, list[TeamMember]] = field(default_factory=dict)  # organisation slug → members
    rates: dict[tuple, Decimal] = field(default_factory=dict)  # (org id, year, grade, trade code|None)
    items: dict[str, dict[str, Item]] = field(default_factory=dict)  # org slug → reference → item
    contractors: dict[str, dict[str, Contractor]] = field(default_factory=dict)  # org slug → name → row

    def rate(self, organisation_id: int, year: int, grade: str, trade_code: str | None) -> Decimal:
        """The loaded hourly rate: the one for the grade and trade if any, else for the grade."""
        specific = self.rates.get((organisation_id, year, grade, trade_code))
        return specific if specific is not None else self.rates[(organisation_id, year, grade, None)]

    def slug_of(self, organisation_id: int) -> str:
        return next(slug for slug, org in self.orgs.items() if org.pk == organisation_id)


def luhn_complete(digits: str) -> str:
    """Append the Luhn key that makes a SIREN or SIRET valid."""
    for key in "0123456789":
        number = digits + key
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


def siren_of(slug: str) -> str:
    data = organisations.ORGANISATIONS[slug]
    base = data.get("siren_base") or f"21{data['insee_code']}"
    return luhn_complete(base)


def build_reference(years: list[int]) -> Reference:
    ref = Reference()
    ref.trades = {t.code: t for t in Trade.objects.all()}
    ref.categories = {c.code: c for c in EquipmentCategory.objects.all()}
    _organisations(ref)
    _contractors(ref)
    _people(ref)
    _teams(ref)
    _rates(ref, years)
    _items(ref)
    return ref


def _organisations(ref: Reference) -> None:
    for slug in organisations.ALL:
        data = organisations.ORGANISATIONS[slug]
        org, _created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": data["name"],
                "kind": data["kind"],
                "parent": None if slug == organisations.EPCI else ref.orgs[organisations.EPCI],
                "siren": siren_of(slug),
                "insee_code": data["insee_code"],
                "address": data["address"],
                "email": data["email"],
                "phone": data["phone"],
                "overhead_rate": data["overhead_rate"],
            },
        )
        ref.orgs[slug] = org


def _contractors(ref: Reference) -> None:
    wanted = []
    for slug, names in catalogue.CONTRACTS.items():
        for name in names:
            siret, email, phone, _trades, _speciality = catalogue.CONTRACTORS[name]
            wanted.append(
                Contractor(organisation=ref.orgs[slug], name=name, siret=luhn_complete(siret), email=email, phone=phone)
            )
    rows = ensure_rows(
        Contractor,
        lambda c: (c.organisation_id, c.name),
        wanted,
        organisation_id__in=[o.pk for o in ref.orgs.values()],
    )
    through = Contractor.trades.through
    stored = [c.pk for c in rows.values()]
    links = {(t.contractor_id, t.trade_id) for t in through.objects.filter(contractor_id__in=stored)}
    new_links = []
    for slug, names in catalogue.CONTRACTS.items():
        org = ref.orgs[slug]
        ref.contractors[slug] = {}
        for name in names:
            contractor = rows[(org.pk, name)]
            ref.contractors[slug][name] = contractor
            for code in catalogue.CONTRACTORS[name][3]:
                if (contractor.pk, ref.trades[code].pk) not in links:
                    new_links.append(through(contractor_id=contractor.pk, trade_id=ref.trades[code].pk))
    through.objects.bulk_create(new_links)


def _people(ref: Reference) -> None:
    password = make_password(organisations.PASSWORD)  # hashed once: the same password for every account
    usernames = [a[0] for a in organisations.ACCOUNTS] + [organisations.SUPERUSER[0]]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    new = []
    for username, _role, first, last, _who in organisations.ACCOUNTS:
        if username not in existing:
            new.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@{EMAIL_DOMAIN}",
                    password=password,
                )
            )
    superuser = organisations.SUPERUSER[0]
    if superuser not in existing:
        new.append(
            User(
                username=superuser,
                first_name=organisations.SUPERUSER[1],
                last_name=organisations.SUPERUSER[2],
                email=f"{superuser}@{EMAIL_DOMAIN}",
                password=password,
                is_staff=True,
                is_superuser=True,
            )
        )
    User.objects.bulk_create(new)
    ref.users = {u.username: u for u in User.objects.filter(username__in=usernames)}

    has_membership = set(
        Membership.objects.filter(user__username__in=usernames).values_list("user__username", "organisation_id")
    )
    memberships = []
    for username, role, *_rest in organisations.ACCOUNTS:
        org = ref.orgs[username.split(".", 1)[1]]
        if (username, org.pk) in has_membership:
            continue
        contractor = None
        if role == Membership.Role.CONTRACTOR:
            contractor = ref.contractors[org.slug][organisations.CONTRACTOR_OF[username]]
        memberships.append(Membership(user=ref.users[username], organisation=org, role=role, contractor=contractor))
    Membership.objects.bulk_create(memberships)
    _two_factor_devices(ref)


def _two_factor_devices(ref: Reference) -> None:
    """TOTP devices with the published demo secret for the administrators (two-factor is mandatory)."""
    key = b32decode(organisations.TOTP_SECRET).hex()
    admins = [a[0] for a in organisations.ACCOUNTS if a[1] == Membership.Role.ADMIN] + [organisations.SUPERUSER[0]]
    enrolled = set(TOTPDevice.objects.filter(user__username__in=admins).values_list("user__username", flat=True))
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=ref.users[name], name="Démo (secret publié)", key=key, confirmed=True)
        for name in admins
        if name not in enrolled
    )


def _teams(ref: Reference) -> None:
    for data in organisations.TEAMS:
        org = ref.orgs[data["organisation"]]
        team, created = Team.objects.get_or_create(
            organisation=org, name=data["name"], defaults={"lead": ref.users[data["lead"]]}
        )
        if created:
            team.trades.set([ref.trades[code] for code in data["trades"]])
            team.served_organisations.set([ref.orgs[slug] for slug in data["serves"]])
        for username, trade, grade in data["members"]:
            TeamMember.objects.get_or_create(
                team=team, user=ref.users[username], defaults={"trade": ref.trades[trade], "grade": grade}
            )
        ref.teams[org.slug] = team
        ref.members[org.slug] = list(team.members.select_related("user", "trade").order_by("user__username"))


def _rates(ref: Reference, years: list[int]) -> None:
    current = max(years)
    wanted = []
    for slug, table in organisations.LABOUR_RATES.items():
        org = ref.orgs[slug]
        for year in years:
            factor = Decimal("0.975") ** (current - year)  # rates rise about 2.5 % a year
            for grade, rate in table["grades"].items():
                wanted.append(LabourRate(organisation=org, year=year, grade=grade, hourly_rate=_cents(rate * factor)))
            for (grade, trade), rate in table["trades"].items():
                wanted.append(
                    LabourRate(
                        organisation=org,
                        year=year,
                        grade=grade,
                        trade=ref.trades[trade],
                        hourly_rate=_cents(rate * factor),
                    )
                )
    rows = ensure_rows(
        LabourRate,
        lambda r: (r.organisation_id, r.year, r.grade, r.trade_id),
        wanted,
        organisation_id__in=[o.pk for o in ref.orgs.values()],
    )
    code_of = {t.pk: code for code, t in ref.trades.items()}
    for row in rows.values():
        ref.rates[(row.organisation_id, row.year, row.grade, code_of.get(row.trade_id))] = row.hourly_rate


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _items(ref: Reference) -> None:
    wanted = [
        Item(organisation=org, reference=reference, label=label, unit=unit, category=family, unit_cost=cost)
        for org in ref.orgs.values()
        for reference, label, unit, family, cost in catalogue.ITEMS
    ]
    rows = ensure_rows(
        Item,
        lambda i: (i.organisation_id, i.reference),
        wanted,
        organisation_id__in=[o.pk for o in ref.orgs.values()],
    )
    for slug, org in ref.orgs.items():
        ref.items[slug] = {reference: rows[(org.pk, reference)] for reference, *_rest in catalogue.ITEMS}
