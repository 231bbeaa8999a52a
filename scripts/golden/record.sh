#!/bin/sh
# Regenerates Tests/Fixtures/golden/*.json from the clouds' official SDKs (SPEC A7),
# installed from PyPI into a virtual environment; with a capture file certpush's
# golden tests wrote, checks certpush's signatures with the SDKs' signers:
#
#   scripts/golden/record.sh                 # record the SDKs' requests
#   CERTPUSH_GOLDEN_CAPTURE=/tmp/certpush-requests.json swift test --filter GoldenRequestTests
#   scripts/golden/record.sh --check /tmp/certpush-requests.json
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv=${CERTPUSH_GOLDEN_VENV:-$here/.venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
exec "$venv/bin/python" "$here/record.py" "$@"
