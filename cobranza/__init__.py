"""Cobranza: the collections domain, its services, the API and the CLI."""
