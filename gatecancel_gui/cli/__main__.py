"""`python -m gatecancel_gui.cli`."""

import sys

from gatecancel_gui.cli import main

sys.exit(main())
