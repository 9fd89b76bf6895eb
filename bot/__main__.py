"""``python -m bot`` is the same as ``motcua``."""

import sys

from bot.cli import main

sys.exit(main())
