from typing import Any

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections


@pytest.fixture
def wsgi_app() -> Any:
    """The project's WSGI application, called in-process like Django's test client: the database
    connection of the test (and its transaction) must survive each request's end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
