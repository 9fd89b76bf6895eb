"""User-visible strings, one Fluent file per feature and language."""
