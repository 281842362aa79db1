#!/bin/bash
# Build the gatecancel executable from a clean environment without the test dependencies.
#   resources/build.sh            one folder:  dist/gatecancel/gatecancel   (starts fast; the default)
#   resources/build.sh --onefile  one file:    dist/gatecancel-portable     (unpacks on every start)
# Linux needs binutils (objdump) to build; the target needs libgl1 libegl1 fontconfig-config.
set -euo pipefail
cd "$(dirname "$0")/.."
ONEFILE=0
[ "${1:-}" = "--onefile" ] && ONEFILE=1
python3 -m venv .venv-build
.venv-build/bin/pip install -q . 'pyinstaller==6.22.3'
ONEFILE=$ONEFILE .venv-build/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build resources/gatecancel.spec
