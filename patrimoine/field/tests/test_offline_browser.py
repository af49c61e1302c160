"""Issue 3's « done when », in real headless Chromium with the real service worker and IndexedDB:
the network really goes off (`context.set_offline`), the page is reloaded from the phone's cache, and
what was recorded reaches the server exactly once when the network returns."""

import io
import random
import re
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from PIL import Image
from playwright.sync_api import expect

from conftest import access_of, browser_login
from patrimoine.costs.models import MaterialLine, TimeEntry
from patrimoine.documents.models import Document
from patrimoine.field.models import OfflineConflict, SyncOperation
from patrimoine.workorders.models import InterventionReport, WorkOrder
from patrimoine.workorders.services import work_order_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = WorkOrder.Status


@pytest.fixture(autouse=True)
def _patient_expectations():
    """The machine may be busy (the whole suite, other jobs): wait up to 20 s for the page to agree."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(autouse=True)
def _browser_console(page):
    """What the page said (errors, failed requests): printed with a failing test's report."""
    lines = []
    page.on("console", lambda message: lines.append(f"console.{message.type}: {message.text}"))
    page.on("pageerror", lambda error: lines.append(f"pageerror: {error}"))
    page.on("requestfailed", lambda request: lines.append(f"failed: {request.method} {request.url} {request.failure}"))
    yield
    print("\n".join(lines))


def camera_photo(path, size=(2400, 1800), noisy=False):
    """A phone-camera-sized JPEG (several MB of pixels); noise makes it hard to compress."""
    image = Image.new("RGB", size, (180, 90, 40))
    if noisy:
        rng = random.Random(3)
        image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    path.write_bytes(buffer.getvalue())
    return path


REGISTRATION = """navigator.serviceWorker.getRegistration().then((r) => JSON.stringify({
  controller: Boolean(navigator.serviceWorker.controller),
  installing: r && r.installing && r.installing.state, waiting: r && r.waiting && r.waiting.state,
  active: r && r.active && r.active.state}))"""


def open_app(page, username="technicien.epci"):
    """Sign in and open the app until it says it is ready for the basement."""
    browser_login(page, username)
    page.goto("/terrain/")
    try:
        expect(page.locator("html")).to_have_attribute("data-offline", "ready")
    except AssertionError:
        print("service worker:", page.evaluate(REGISTRATION), "caches:", page.evaluate("caches.keys()"))
        print("main:", page.locator("main").inner_html()[:500], "status:", page.locator("#fa-status").inner_text())
        raise


def open_app_then_go_offline(page, username="technicien.epci"):
    open_app(page, username)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("#fa-status")).to_contain_text("Hors ligne")


def status_bar(page):
    return page.locator("#fa-status")


def all_sent(page):
    """Nothing waits on the phone, and the fresh copy of the data that follows a send has arrived."""
    expect(status_bar(page)).to_contain_text("0 action en attente d'envoi", timeout=30000)
    expect(page.locator("html")).to_have_attribute("data-sync", "idle", timeout=30000)


def add_material(page, query, label, quantity):
    page.get_by_label("Rechercher un article du catalogue").fill(query)
    page.locator("#mat-results button", has_text=label).click()
    page.get_by_label("Quantité").fill(quantity)
    page.get_by_role("button", name="Ajouter le matériel").click()
    expect(page.locator("#s-material").locator("..")).to_contain_text(f"{label} × {quantity}")


def sign(page, name):
    page.get_by_label("Nom de la personne qui signe").fill(name)
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] / 2 + (15 if step % 2 else -15))
    page.mouse.up()
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.locator("#signature-done")).to_contain_text(f"Signé par {name}")


def test_a_job_done_offline_reaches_the_server_once_with_its_cost(day, page, tmp_path):
    open_app_then_go_offline(page)
    page.get_by_role("link", name=re.compile("Fuite sous l'évier de la cantine")).click()
    expect(page.locator("h1")).to_contain_text(day.leak.reference)
    expect(page.locator("#s-equipment").locator("..")).to_contain_text("Vanne 20/27 remplacée.")

    page.get_by_label("Heures", exact=True).fill("1")
    page.get_by_label("Minutes").fill("45")
    page.get_by_role("button", name="Enregistrer le temps").click()
    expect(page.locator("#s-time").locator("..")).to_contain_text("1 h 45")
    add_material(page, "joint", "Joint fibre 20/27", "2")
    add_material(page, "flex", "Flexible inox 50 cm", "1")
    page.locator("#photo-input").set_input_files(str(camera_photo(tmp_path / "IMG_0001.jpg")))
    expect(page.locator("#s-photos").locator("..").get_by_text("en attente d'envoi")).to_be_visible()
    sign(page, "Mme Gardienne")
    page.get_by_role("button", name="Marquer comme terminé").click()
    page.get_by_role("button", name="Oui, c'est terminé").click()
    expect(page.locator("#finish-state")).to_contain_text("Intervention terminée")
    # Started (en cours), time, two materials, photo, signature, done.
    expect(status_bar(page)).to_contain_text("7 actions en attente d'envoi")
    with scopes_disabled():
        assert SyncOperation.objects.count() == 0 and TimeEntry.objects.count() == 0

    page.context.set_offline(False)
    all_sent(page)
    expect(status_bar(page)).to_contain_text("Dernier envoi : aujourd'hui à")
    with scopes_disabled():
        leak = WorkOrder.objects.get(pk=day.leak.pk)
        assert leak.status == Status.DONE
        [entry] = TimeEntry.objects.filter(work_order=leak)
        assert (entry.technician, entry.hours, entry.amount) == (day.ahmed, Decimal("1.75"), Decimal("67.20"))
        lines = MaterialLine.objects.filter(work_order=leak).order_by("label")
        assert [(m.label, m.quantity, m.amount) for m in lines] == [
            ("Flexible inox 50 cm", Decimal("1.000"), Decimal("6.90")),
            ("Joint fibre 20/27", Decimal("2.000"), Decimal("1.70")),
        ]
        assert leak.total_cost == Decimal("75.80")
        [photo] = Document.objects.filter(object_id=leak.pk)
        assert photo.mime_type == "image/jpeg" and photo.size <= 350 * 1024  # resized on the phone
        report = InterventionReport.objects.get(work_order=leak)
        assert report.signed_by_name == "Mme Gardienne" and report.signature
        assert SyncOperation.objects.count() == 7
    # The page now shows the server's copy: the lines are there once, nothing left « not sent ».
    expect(page.locator("main")).not_to_contain_text("pas encore envoyé")
    expect(page.locator("#s-material").locator("..").get_by_text("Joint fibre 20/27 × 2")).to_have_count(1)


def test_operations_whose_acknowledgement_was_lost_are_stored_once(day, page):
    open_app_then_go_offline(page)
    page.get_by_role("link", name=re.compile("Fuite sous l'évier de la cantine")).click()
    page.get_by_label("Minutes").fill("30")
    page.get_by_role("button", name="Enregistrer le temps").click()
    expect(page.locator("#s-time").locator("..")).to_contain_text("30 min")
    add_material(page, "joint", "Joint fibre 20/27", "3")
    expect(status_bar(page)).to_contain_text("3 actions en attente d'envoi")
    lost = []

    def lose_the_answer(route):
        if lost:
            route.continue_()
            return
        route.fetch()  # the server receives and applies the batch…
        lost.append(True)
        route.abort("connectionreset")  # …but the phone never hears back

    page.route("**/terrain/api/sync/", lose_the_answer)
    page.context.set_offline(False)
    all_sent(page)
    assert lost == [True]
    with scopes_disabled():
        assert TimeEntry.objects.filter(work_order=day.leak).count() == 1
        assert MaterialLine.objects.filter(work_order=day.leak).count() == 1
        assert SyncOperation.objects.count() == 3
        assert WorkOrder.objects.get(pk=day.leak.pk).total_cost == Decimal("19.20") + Decimal("2.55")


def test_order_cancelled_while_offline_keeps_the_entries_and_says_so(day, page):
    open_app_then_go_offline(page)
    page.get_by_role("link", name=re.compile("Fuite sous l'évier de la cantine")).click()
    page.get_by_label("Heures", exact=True).fill("2")
    page.get_by_role("button", name="Enregistrer le temps").click()
    expect(page.locator("#s-time").locator("..")).to_contain_text("2 h")
    add_material(page, "flex", "Flexible inox 50 cm", "1")
    with scopes_disabled():  # meanwhile, at the office
        leak = WorkOrder.objects.get(pk=day.leak.pk)
        work_order_transition(
            access=access_of(day.chef),
            work_order=leak,
            to_status=Status.CANCELLED,
            expected_version=leak.version,
            reason="Réparé par le bailleur",
        )
    page.context.set_offline(False)
    all_sent(page)
    alerts = page.get_by_role("alert").filter(has_text="Messages")
    expect(alerts).to_contain_text("annulé pendant que vous étiez hors ligne")
    expect(alerts).to_contain_text("est conservée et signalée à votre responsable")
    with scopes_disabled():
        assert TimeEntry.objects.filter(work_order=day.leak).count() == 0
        kept = OfflineConflict.objects.filter(work_order=day.leak, technician=day.ahmed).order_by("created_at")
        assert [c.kind for c in kept] == ["statut", "temps", "materiel"]
        assert all(c.status == OfflineConflict.Status.OPEN for c in kept)


def test_a_photo_upload_cut_mid_way_completes_later_without_duplicates(day, page, tmp_path):
    open_app(page)
    page.get_by_role("link", name=re.compile("Fuite sous l'évier de la cantine")).click()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 50, "downloadThroughput": -1, "uploadThroughput": 20 * 1024},
    )
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url) if "/api/photos/" in request.url else None)
    with page.expect_request("**/terrain/api/photos/"):
        page.locator("#photo-input").set_input_files(str(camera_photo(tmp_path / "IMG_0002.jpg", noisy=True)))
    size = page.evaluate("Terrain.db.all('blobs').then((rows) => rows[0].files[0].blob.size)")
    assert 150 * 1024 < size <= 350 * 1024  # resized on the phone, yet several seconds on this link
    page.wait_for_timeout(1500)
    page.context.set_offline(True)  # into the lift shaft, mid-upload
    expect(page.locator("#fa-status")).to_contain_text("Hors ligne")
    expect(status_bar(page)).to_contain_text("1 action en attente d'envoi")
    page.wait_for_timeout(500)
    assert len(failed) == 1  # the app gave up this upload when the network went
    with scopes_disabled():
        assert Document.objects.filter(object_id=day.leak.pk).count() == 0
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.context.set_offline(False)
    all_sent(page)
    with scopes_disabled():
        [photo] = Document.objects.filter(object_id=day.leak.pk)
        assert photo.size <= 350 * 1024
        assert SyncOperation.objects.filter(kind="photo").count() == 1


def test_signing_out_forgets_the_copies_but_keeps_what_was_not_sent(day, page):
    open_app_then_go_offline(page)
    page.get_by_role("link", name=re.compile("Fuite sous l'évier de la cantine")).click()
    page.get_by_label("Minutes").fill("40")
    page.get_by_role("button", name="Enregistrer le temps").click()
    page.get_by_role("link", name="← Mes interventions").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("#fa-logout-state")).to_contain_text("Pas de réseau")
    page.route("**/terrain/api/sync/", lambda route: route.abort())  # the server is unreachable
    page.context.set_offline(False)
    expect(status_bar(page)).to_contain_text("2 actions en attente d'envoi")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile("/compte/connexion/"))
    page.unroute("**/terrain/api/sync/")

    page.goto("/terrain/")  # signed out: the shell opens, the copy of my orders is gone, the queue is not
    expect(page.locator("main")).to_contain_text("Connectez-vous")
    expect(page.locator("main")).to_contain_text("2 actions en attente d'envoi")
    assert "terrain-data" not in page.evaluate("caches.keys()")
    assert day.leak.title not in page.content()
    with scopes_disabled():
        assert TimeEntry.objects.count() == 0

    browser_login(page, "technicien.epci")
    page.goto("/terrain/")
    all_sent(page)
    with scopes_disabled():
        assert TimeEntry.objects.get(work_order=day.leak).hours == Decimal("0.67")
