"""The files of deploy/ stay true to the code: the environment file lists every setting read."""

import re

from patrimoine.deploy.tests.stack import ROOT

DEPLOY = ROOT / "deploy"
NOT_FOR_OPERATORS = {"SQLITE_TEST_NAME"}  # the test harness's
READERS = {
    ROOT / "patrimoine" / "settings.py": r'env_(?:str|bool|int|list)\("([A-Z0-9_]+)"',
    ROOT / "patrimoine" / "trust" / "backup.py": r'os\.environ\.get\("([A-Z0-9_]+)"',
    ROOT / "patrimoine" / "ops" / "metrics.py": r'os\.environ\.get\("([A-Z0-9_]+)"',
    ROOT / "patrimoine" / "core" / "s3.py": r'"(AWS_[A-Z0-9_]+)"',  # s3_storage(os.environ)
    DEPLOY / "gunicorn.conf.py": r'os\.environ\.get\("([A-Z0-9_]+)"',
    DEPLOY / "backup.sh": r"\$\{([A-Z0-9_]+)",
}


def test_the_environment_file_lists_every_variable_the_instance_reads():
    read = {name for path, pattern in READERS.items() for name in re.findall(pattern, path.read_text())}
    listed = set(re.findall(r"^#?([A-Z0-9_]+)=", (DEPLOY / "patrimoine.env.example").read_text(), re.MULTILINE))
    assert read - NOT_FOR_OPERATORS - listed == set()
    assert listed - read == set()
