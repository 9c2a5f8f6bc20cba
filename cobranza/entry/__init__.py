"""Entry points: the web app factory, the integration API, the health check, the CLI and the worker."""
