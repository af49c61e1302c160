from patrimoine.purchasing.tests.conftest import shop  # noqa: F401 — the same small world
