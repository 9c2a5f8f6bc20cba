"""Core values with no database and no I/O: money, errors, validation, redaction, hours, wording of figures and
dates, the vocabulary's enums, the clock, settings, masked logging, validated YAML files.
"""
