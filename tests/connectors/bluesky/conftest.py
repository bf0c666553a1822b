"""The `pds` fixture: one real PDS on loopback for the whole session.

It installs the PDS into the cache on first use (about 2 minutes), then starts in about 4 s.
When it cannot start, tests fail under CI (env `CI` set) and are skipped elsewhere with the
reason. Import it from other test packages with
`from tests.connectors.bluesky.conftest import pds` (and `pytest_plugins` is not needed).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.connectors.bluesky.pds import LocalPds, start_pds, stop_pds


@pytest.fixture(scope="session")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPds]:
    directory = tmp_path_factory.mktemp("atproto-pds")
    try:
        server = start_pds(directory)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        stop_pds(directory)
        if os.environ.get("CI"):
            pytest.fail(f"the local AT Protocol PDS did not start: {error}")
        pytest.skip(f"the local AT Protocol PDS did not start (run scripts/atproto-pds install): {error}")
    try:
        yield server
    finally:
        stop_pds(directory)
