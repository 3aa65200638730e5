#!/usr/bin/env bash
# The README's test command. Installs the Debian packages the tests need when missing (as root; otherwise
# stops with one line naming them, see scripts/system-packages.sh), starts redis-server on a loopback
# port, runs the Python recipe tests and jest, and prints one plain line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh || exit 1
passed=0; failed=0

export LEGO_TEST_REDIS_PORT=${LEGO_TEST_REDIS_PORT:-6391}
redis_pid=""
if command -v redis-server >/dev/null; then
  redis-server --port "$LEGO_TEST_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/tmp/lego-test-redis.log 2>&1 &
  redis_pid=$!
fi
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; }
trap cleanup EXIT

if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch, onnx, numpy, PIL' 2>/dev/null; then
  out=$(cd models/lego-tiny/recipe && /usr/bin/python3 -m unittest discover -s tests -t . 2>&1); rc=$?
  echo "$out" | tail -15
  n=$(echo "$out" | sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' | tail -1); n=${n:-0}
  f=$(echo "$out" | sed -n 's/^FAILED (\(.*\))/\1/p' | grep -o '[0-9]\+' | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + n - f)); failed=$((failed + f))
else
  # counted as one failure, never as a pass: the recipe's tests did not run
  echo "recipe tests not run: /usr/bin/python3 cannot import torch, onnx, numpy and PIL ($(/usr/bin/python3 -c 'import torch, onnx, numpy, PIL' 2>&1 | tail -1))"
  failed=$((failed + 1))
fi

npx jest --ci --json --outputFile=/tmp/lego-jest.json "$@"; rc=$?
if [ -f /tmp/lego-jest.json ]; then
  jp=$(node -e "const r=require('/tmp/lego-jest.json');console.log(r.numPassedTests)")
  jf=$(node -e "const r=require('/tmp/lego-jest.json');console.log(r.numFailedTests + (r.numRuntimeErrorTestSuites||0))")
  passed=$((passed + jp)); failed=$((failed + jf))
  rm -f /tmp/lego-jest.json
elif [ "$rc" -ne 0 ]; then failed=$((failed + 1)); fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
