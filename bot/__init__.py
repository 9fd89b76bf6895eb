"""motcua-bot runtime: settings, storage, channels, server and command line."""

__version__ = "0.1.0"
