"""Simplified Chinese numbers: 2,000,000.00 (Django's own use no thousands separator)."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
