#!/usr/bin/env bash
# Install the baseline (benchmark only) into the project venv, then run the benchmark.
#   bench/run.sh [bench_video.py options]      e.g. bench/run.sh --skip-realtime
#   bench/run.sh --detectors                   HOG, dlib MMOD and MMOD-ONNX: detectors.json
# face_recognition is installed WITHOUT its dependencies: its "dlib" requirement would compile
# dlib from source, while dlib-bin (a project dependency) already provides the dlib module.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
py="${PYTHON:-$repo/.venv/bin/python}"

"$py" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$py" -m pip install --quiet --disable-pip-version-check --no-deps face_recognition==1.3.0
# face_recognition_models imports pkg_resources, which setuptools 81+ no longer ships.
if ! "$py" -c "import face_recognition" >/dev/null 2>&1; then
    "$py" -m pip install --quiet --disable-pip-version-check "setuptools<81"
    "$py" -c "import face_recognition"
fi

cd "$repo"
exec "$py" "$here/bench_video.py" "$@"
