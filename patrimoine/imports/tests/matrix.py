"""Venansault's import job for the tenant isolation matrix (patrimoine/core/tests)."""

from django_scopes import scopes_disabled

from patrimoine.imports.models import ImportJob, Kind


@scopes_disabled()
def venansault_import(o: dict, secret: str) -> ImportJob:
    """A checked, error-free import of Venansault's, ready to be launched, named after `secret`."""
    return ImportJob.objects.create(
        organisation=o["building"].organisation,
        kind=Kind.BUILDINGS,
        filename=f"{secret}.csv",
        content=f"Code bâtiment;Libellé\nZ1;{secret}\n".encode(),
        file_format="csv",
        headers=["Code bâtiment", "Libellé"],
        mapping={"0": "code", "1": "name"},
        status=ImportJob.Status.CHECKED,
        rows_total=1,
        preview={"columns": ["Code bâtiment", "Libellé"], "rows": [[2, ["Z1", secret]]]},
    )
