import sys

from gatecancel_gui.gui import main

sys.exit(main())
