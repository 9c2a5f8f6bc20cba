"""Local stand-ins for the outside systems, so `make demo` runs with no credentials
and no internet: they do what those systems' servers do, nothing of ours."""
