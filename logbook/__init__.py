"""logbook: turn a git repository of customer-service records into a dispute-ready static site."""

__version__ = "0.1.0"
