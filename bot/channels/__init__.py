"""Channel adapters: platform payloads in, neutral replies rendered out."""
