import sys

from gatecancel_gui.app import main

sys.exit(main())
