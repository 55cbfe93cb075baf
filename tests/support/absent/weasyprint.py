"""Put first on a child process's PYTHONPATH by the tier guard (tests/support/tiers.py) for a test without
the ``pdf`` marker: a ``python -m logbook export --pdf`` it starts then fails as it would without WeasyPrint."""

raise ImportError("WeasyPrint is outside this test's tier: mark the test @pytest.mark.pdf")
