"""Pure, fast lookups: text folding, catalogue search, code and address parsing."""
