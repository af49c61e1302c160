"""Pages of the citizen portal (public, no account), the tracking page, the accessibility statement,
and the counter (agents). Thin: parse the form, call the service, show its message."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.intake.selectors import get_work_request_for, request_progress, work_request_may
from patrimoine.portal import citizen, selectors, services, texting
from patrimoine.portal.categories import CATEGORIES, category_of
from patrimoine.portal.forms import CitizenReportForm, CounterReportForm, ReplyForm, WhereForm
from patrimoine.portal.notify import tracking_url


def _organisation(request: HttpRequest, org: str):
    organisation = request.access.organisation
    if organisation is None or organisation.slug != org:
        raise Http404
    return organisation


def _client_key(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "?")


def _throttled(request: HttpRequest, organisation) -> HttpResponse | None:
    if services.throttle_allows(f"{organisation.pk}:{_client_key(request)}"):
        return None
    response = render(
        request,
        "portal/throttled.html",
        {"organisation": organisation, "public": True},
        status=429,
    )
    response["Retry-After"] = str(services.THROTTLE_WINDOW_S)
    return response


def _map_context() -> dict:
    return {"tile_url": settings.PORTAL_MAP_TILE_URL, "tile_attribution": settings.PORTAL_MAP_ATTRIBUTION}


@login_not_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, org: str) -> HttpResponse:
    """« Signaler un problème »: what and where (GET), then known places, nearby reports, the rest (POST)."""
    organisation = _organisation(request, org)
    source = request.POST if request.method == "POST" else request.GET
    where = WhereForm(source) if "categorie" in source else WhereForm()
    places, nearby, form = [], [], None
    if where.is_bound and where.is_valid() and "modifier" not in source:
        data = where.cleaned_data
        places = selectors.places_search(organisation, data["lieu"])
        nearby = selectors.nearby_open_reports(
            organisation,
            category=data["categorie"],
            query=data["lieu"],
            building=places[0] if len(places) == 1 else None,
            latitude=data["latitude"],
            longitude=data["longitude"],
        )
        if request.method == "POST":
            if throttled := _throttled(request, organisation):
                return throttled
            form = CitizenReportForm(request.POST, request.FILES, places=places)
            if form.is_valid():
                clean = form.cleaned_data
                try:
                    created = services.public_report_create(
                        access=request.access,
                        category=data["categorie"],
                        description=clean["description"],
                        building=clean.get("batiment"),
                        location_text=data["lieu"],
                        latitude=data["latitude"],
                        longitude=data["longitude"],
                        photo=clean.get("photo"),
                        contact_name=clean["contact_name"],
                        contact_email=clean["contact_email"],
                        contact_phone=clean["contact_phone"],
                        contact_consent=clean["contact_consent"],
                        citizen=citizen.current(request),
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    return redirect(reverse("portal:track", kwargs={"token": created.token}) + "?nouveau=1")
        else:
            initial = {k: source.get(k, "") for k in ("categorie", "lieu", "lat", "lon")}
            if person := citizen.current(request):
                initial["contact_email"] = person.email  # signed in: the e-mail the provider gave
            form = CitizenReportForm(initial=initial, places=places)
    elif request.method == "POST":
        raise Http404
    context = {
        "organisation": organisation,
        "where": where,
        "form": form,
        "places": places,
        "nearby": [(r, request_progress(r.work_request), category_of(r.category)) for r in nearby],
        "categories": CATEGORIES,
        "category": category_of(where.cleaned_data["categorie"]) if form is not None else None,
        "public": True,
        "citizen_person": citizen.current(request),
        **_map_context(),
    }
    return render(request, "portal/report.html", context, status=400 if form is not None and form.errors else 200)


@login_not_required
@require_POST
def support(request: HttpRequest, org: str) -> HttpResponse:
    """« Moi aussi »: add one's voice to an open report instead of filing a duplicate."""
    organisation = _organisation(request, org)
    if throttled := _throttled(request, organisation):
        return throttled
    try:
        report_id = uuid.UUID(request.POST.get("signalement", ""))
    except ValueError:
        report_id = None
    report = selectors.open_reports(organisation).filter(pk=report_id).first() if report_id else None
    if report is None:
        messages.error(
            request, _("Ce signalement est déjà traité ou n'existe pas : décrivez votre problème ci-dessous.")
        )
        return redirect("portal:report", org=organisation.slug)
    services.public_report_support(access=request.access, report=report)
    messages.success(
        request,
        _(
            "Merci : votre voix a été ajoutée au signalement %(reference)s. "
            "Le service sait que le problème gêne %(count)s personnes."
        )
        % {"reference": report.work_request.reference, "count": report.supporters + 1},
    )
    return redirect("portal:report", org=organisation.slug)


@login_not_required
@require_GET
def track(request: HttpRequest, token: str) -> HttpResponse:
    """The tracking page: status and public replies, no personal data."""
    report = selectors.report_by_token(token)
    work_request = report.work_request
    context = {
        "report": report,
        "request_": work_request,
        "organisation": report.organisation,
        "progress": request_progress(work_request),
        "place": selectors.place_label(work_request),
        "category": category_of(report.category),
        "replies": selectors.public_replies(report),
        "new": request.GET.get("nouveau") == "1",
        "url": tracking_url(report),
        "public": True,
    }
    response = render(request, "portal/track.html", context)
    # The token must not leak to another site; same-origin (not no-referrer, which makes the browser
    # send « Origin: null ») keeps the page's own forms (the citizen's sign-out) passing the CSRF check.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html", {"organisation": request.access.organisation})


# --- The counter (agents) -----------------------------------------------------------------------


def _require_counter(request: HttpRequest):
    if not request.access.has("portal.counter"):
        raise PermissionDenied
    return request.access


@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest) -> HttpResponse:
    access = _require_counter(request)
    organisation = access.organisation
    form = CounterReportForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.public_report_create(
                access=access,
                category=data["categorie"],
                description=data["description"],
                building=data["batiment"],
                location_text=data["lieu"],
                urgency=data["urgency"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                contact_address=data["contact_address"],
                contact_consent=data["contact_consent"],
                preferred_channel=data["preferred_channel"],
                sms_consent=data["sms_consent"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("portal:receipt", pk=created.pk)
    status = 400 if form.errors else 200
    return render(request, "portal/counter.html", {"form": form, "organisation": organisation}, status=status)


@require_GET
def receipt(request: HttpRequest, pk) -> HttpResponse:
    access = _require_counter(request)
    report = selectors.get_report_for(access, pk)
    context = {
        "report": report,
        "request_": report.work_request,
        "organisation": report.organisation,
        "url": tracking_url(report),
        "place": selectors.place_label(report.work_request),
        "category": category_of(report.category),
        "sms_number": texting.national(number) if (number := services.receipt_sms_number(report)) else "",
        "sent": selectors.citizen_messages(report),
    }
    return render(request, "portal/receipt.html", context)


@require_POST
def receipt_send(request: HttpRequest, pk) -> HttpResponse:
    access = _require_counter(request)
    report = selectors.get_report_for(access, pk)
    try:
        services.receipt_send(access=access, report=report)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le reçu a été envoyé à %(email)s.") % {"email": report.contact_email})
    return redirect("portal:receipt", pk=report.pk)


@require_POST
def receipt_sms(request: HttpRequest, pk) -> HttpResponse:
    """« Envoyer par SMS »: the reference and the tracking link, to the mobile the person gave."""
    access = _require_counter(request)
    report = selectors.get_report_for(access, pk)
    try:
        sent = services.receipt_send_sms(access=access, report=report)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if sent.outcome == sent.Outcome.SENT:
            messages.success(request, _("Le reçu a été envoyé par SMS au %(number)s.") % {"number": sent.recipient})
        else:
            messages.error(
                request,
                _("Le SMS n'est pas parti (%(detail)s) : réessayez plus tard ou imprimez le reçu.")
                % {"detail": sent.detail},
            )
    return redirect("portal:receipt", pk=report.pk)


@require_GET
def call_backs(request: HttpRequest) -> HttpResponse:
    access = _require_counter(request)
    rows = [(r, request_progress(r.work_request)) for r in selectors.to_call_back(access)[:100]]
    return render(request, "portal/call_backs.html", {"rows": rows})


@require_POST
def call_back_done(request: HttpRequest, pk) -> HttpResponse:
    access = _require_counter(request)
    report = selectors.get_report_for(access, pk)
    services.call_back_done(access=access, report=report)
    messages.success(
        request, _("Rappel noté pour la demande %(reference)s.") % {"reference": report.work_request.reference}
    )
    return redirect("portal:call-backs")


@require_POST
def reply(request: HttpRequest, pk) -> HttpResponse:
    """A public reply from the work request or work order page (team leads, managers)."""
    access = request.access
    work_request = get_work_request_for(access, pk)
    if not work_request_may(access, "portal.reply", work_request):
        raise PermissionDenied
    form = ReplyForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("intake:detail", kwargs={"pk": work_request.pk})
    if not form.is_valid():
        messages.error(request, _("Écrivez la réponse : le demandeur la lira sur sa page de suivi."))
        return redirect(target)
    try:
        services.public_reply_create(access=access, work_request=work_request, text=form.cleaned_data["text"])
    except PermissionRefused:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Réponse publiée sur la page de suivi du demandeur."))
    return redirect(target)


# --- Optional citizen sign-in and « Mes signalements » ------------------------------------------


def _safe_next(request: HttpRequest, value: str) -> str:
    """Back where the person was on this site after signing in; « Mes signalements » otherwise."""
    if value.startswith(reverse("portal:citizen-sign-out")):
        value = ""  # signing in from « Vous êtes déconnecté(e) »: not a place to come back to
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}) and value.startswith("/"):
        return value
    return reverse("portal:my-reports")


@login_not_required
@require_GET
def citizen_sign_in(request: HttpRequest) -> HttpResponse:
    """« Se connecter avec FranceConnect »: off (404) unless CITIZEN_OIDC_CLIENT_ID is set."""
    if not citizen.enabled():
        raise Http404
    return citizen.sign_in_redirect(request, _safe_next(request, request.GET.get("suivant", "")))


@login_not_required
@require_GET
def citizen_callback(request: HttpRequest) -> HttpResponse:
    if not citizen.enabled():
        raise Http404
    try:
        claims = citizen.sign_in_claims(request)
        identity = services.citizen_identity_sign_in(issuer=settings.CITIZEN_OIDC_ISSUER, claims=claims)
    except (citizen.SignInFailed, DomainError):
        messages.error(
            request,
            _("La connexion avec %(label)s n'a pas abouti. Réessayez, ou signalez sans vous connecter.")
            % {"label": settings.CITIZEN_OIDC_BUTTON_LABEL},
        )
        return redirect("portal:my-reports")
    return redirect(citizen.signed_in(request, identity))


@login_not_required
@require_http_methods(["GET", "POST"])
def citizen_sign_out(request: HttpRequest) -> HttpResponse:
    """POST: forget the citizen here, then at the provider (RP-initiated logout). GET: « déconnecté(e) »."""
    if request.method == "POST":
        provider_logout = citizen.sign_out(request)
        return redirect(provider_logout or reverse("portal:citizen-sign-out"))
    citizen.signed_out_back(request)
    return render(request, "portal/signed_out.html", {"person": citizen.current(request)})


@login_not_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """« Mes signalements »: the signed-in citizen's own reports, each linking to its tracking page."""
    person = citizen.current(request)
    rows, page = [], None
    if person is not None:
        page = Paginator(selectors.citizen_reports(person), 20).get_page(request.GET.get("page"))
        rows = [(r, request_progress(r.work_request), category_of(r.category)) for r in page.object_list]
    context = {
        "person": person,
        "rows": rows,
        "page_obj": page,
        "sign_in_enabled": citizen.enabled(),
        "sign_in_label": settings.CITIZEN_OIDC_BUTTON_LABEL,
    }
    return render(request, "portal/my_reports.html", context)


@login_not_required
@require_POST
def citizen_forget(request: HttpRequest) -> HttpResponse:
    """« Supprimer mon identifiant »: the identity goes, the reports stay (followed by their links)."""
    person = citizen.current(request)
    if person is not None:
        services.citizen_identity_forget(identity=person, reason=_("à la demande de la personne"))
        messages.success(
            request,
            _("Votre identifiant a été supprimé. Vos signalements restent suivis par leurs liens de suivi."),
        )
    provider_logout = citizen.sign_out(request)
    return redirect(provider_logout or reverse("portal:citizen-sign-out"))
