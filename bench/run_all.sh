#!/usr/bin/env bash
# Every benchmark in a row (18 to 22 minutes on 2 cores), output kept in $BENCH_OUT.
# Each one starts what it needs on loopback (servers, Redis, client processes) and stops it.
# Set BENCH_SERVER_TREE to a frozen copy of the tree to benchmark it while this one changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=${BENCH_OUT:-/tmp/helpcall-bench-$(date -u +%Y%m%dT%H%M%SZ).txt}

step() {
    echo
    echo "### $* ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1 /proc/loadavg))"
    local start=$SECONDS
    "$PY" -m "$@" || echo "!!! ${1#bench.} failed with status $?"
    echo "(${1#bench.}: $((SECONDS - start)) s)"
}

{
    echo "helpcall benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD)"
    echo "$(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
         "$(free -g | awk '/Mem:/ {print $2}') GiB; $($PY -V);" \
         "uvloop $($PY -c 'import uvloop; print(uvloop.__version__)' 2>/dev/null || echo absent)"
    step bench.rooms
    step bench.relay --seconds 2 --warmup 0.5 --targets bare,helpcall,helpcall-redis,helpcall-uvloop
    step bench.relay --pairs 30 --seconds 2 --warmup 0.5 \
        --targets bare,helpcall-redis-old,helpcall-redis,helpcall-2proc-old,helpcall-2proc
    step bench.connections --counts 1000,5000,10000
    step bench.connections --counts "" --burst 300 --targets helpcall,helpcall-pool,bare
    step bench.lifecycles --processes 1,2,1u
    step bench.lifecycles --seconds 4 --processes 1r,1ro,2,2o,4,4o
    step bench.lifecycles --seconds 4 --processes 1rp,1rpo,2p,2po
    step bench.lifecycles --seconds 4 --rate 16 --signals 10 --processes 1rgu,4gu,4hu
    step bench.page_loads --seconds 4
    step bench.rss --pairs 30 --seconds 10,60
    step bench.redis_cost
    step bench.listings
    step bench.token_check
    step bench.profile --scenario relay
    step bench.profile --scenario lifecycles --pairs 20
} 2>&1 | tee "$OUT"
echo "kept in $OUT"
