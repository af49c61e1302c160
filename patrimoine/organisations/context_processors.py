from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, action the role needs) — the main navigation, filtered by the role table.
NAVIGATION = [
    ("dashboard:home", _("Accueil"), None),
    ("field:app", _("Application terrain"), "field.use"),
    ("intake:create", _("Signaler un problème"), "intake.create"),
    ("intake:list", _("Demandes"), None),
    ("workorders:list", _("Bons de travail"), "workorders.view"),
    ("workorders:planning", _("Planning"), "workorders.plan"),
    ("assets:list", _("Patrimoine"), "assets.view"),
    ("costs:overview", _("Coûts"), "costs.view"),
    ("maintenance:compliance", _("Maintenance"), "maintenance.view"),
    ("stock:catalogue", _("Stock"), "stock.view"),
    ("purchasing:order-list", _("Achats"), "purchasing.view"),
    ("budgets:overview", _("Budgets"), "budgets.view"),
    ("reporting:dashboard", _("Tableaux de bord"), "reporting.view"),
    ("chargeback:list", _("Refacturation"), "chargeback.view"),
    ("reversibility:home", _("Réversibilité"), "reversibility.export"),
    ("imports:home", _("Reprise de données"), "imports.run"),
    ("open311:manage", _("Open311"), "open311.manage"),
    ("triage:overview", _("IA frugale"), "triage.view"),
    ("portal:counter", _("Accueil du public"), "portal.counter"),
    ("trust:audit-list", _("Journal d'audit"), "audit.view"),
]


def navigation_for(access, current_path: str) -> list[dict]:
    items = []
    for name, label, action in NAVIGATION:
        if action is not None and not access.has(action):
            continue
        if name == "intake:list" and not (access.has("intake.view_all") or access.has("intake.create")):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": False})
    # The current item is the one whose URL is the longest prefix of the page's path (so that
    # /demandes/nouvelle/ marks « Signaler un problème », not also « Demandes »).
    matches = [i for i in items if current_path == i["url"] or (i["url"] != "/" and current_path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["current"] = True
    return items


def access(request):
    access = getattr(request, "access", None)
    nav = navigation_for(access, request.path) if access is not None and access.is_authenticated else []
    if nav and request.user.is_superuser:  # the instance's administrators (patrimoine/ops)
        url = reverse("ops:instance")
        nav.append({"url": url, "label": _("État de l'instance"), "current": request.path == url})
    return {"access": access, "navigation": nav}
