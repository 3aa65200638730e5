#!/usr/bin/env bash
# lego-tiny's recipe in one command: held-out split, the training schedule, export, evaluation (npm run model:train).
# Runs on Debian's python3 with python3-torch, python3-onnx, python3-numpy, python3-pil and ffmpeg.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
missing=()
for mod in torch onnx numpy PIL; do
  "$py" -c "import $mod" 2>/dev/null || missing+=("$mod")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "lego-tiny recipe: missing Python packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install python3-torch python3-onnx python3-numpy python3-pil libopenblas0-openmp ffmpeg" >&2
  exit 2
fi
command -v ffmpeg >/dev/null || { echo "lego-tiny recipe: ffmpeg is missing (sudo apt-get install ffmpeg)" >&2; exit 2; }
# big tensors are reused instead of returned to the OS each step (≈15 % faster on 2 cores)
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 PYTHONUNBUFFERED=1
# one BLAS/OpenMP thread per process (training sets torch's own): the pool workers are forked after the
# parent has used OpenMP, and a forked child waiting on the parent's OpenMP threads spins in sched_yield
# for ever (the sound pool hung this way, 2026-12-07)
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# relative paths in the options are the caller's (npm runs this from the repository root)
export LEGO_RECIPE_CALLER_CWD="$PWD"
cd "$here"
exec "$py" recipe.py "$@"
