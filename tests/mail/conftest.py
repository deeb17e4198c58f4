from __future__ import annotations

from collections.abc import Iterator

import pytest

from smtpserver import SmtpServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()
