"""The version of the running code, as `manage.py upgrade` reports and records it: the release number
of pyproject.toml and the deployed commit, from the instance page's own reading (patrimoine/ops)."""

from patrimoine.ops.selectors import version


def code_version() -> str:
    current = version()
    return f"{current['number']} ({current['commit']})" if current["commit"] else current["number"]
