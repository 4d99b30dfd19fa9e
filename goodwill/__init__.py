"""Goodwill: turn kind customer support into an honest, anonymized public site."""

__version__ = "0.1.0"
