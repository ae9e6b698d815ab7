"""In CI the suite must run on the real services; this makes a mis-set CI fail instead of passing on SQLite."""

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() == ("btree_gist",)
