import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/assets/building/",
        "/admin/workorders/workorder/",
        "/admin/core/auditentry/",
        "/admin/organisations/organisation/",
        "/admin/intake/workrequest/",
        "/admin/contractors/contractor/",
    ],
)
def test_platform_superuser_browses_the_admin_across_organisations(f, client, path):
    f.building(f.organisation("Nesmy"), "École Jules Ferry")
    f.work_order(f.organisation("Venansault"), title="Fuite")
    admin = f.user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(path).status_code == 200


def test_a_commune_user_cannot_enter_the_admin(f, client):
    client.force_login(f.user("claire", role="gestionnaire", organisation=f.organisation("Nesmy")))
    assert client.get("/admin/").status_code == 302
