"""Workbooks: the templates units fill in, reading them back safely, and checking their values."""
