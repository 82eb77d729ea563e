#!/usr/bin/env bash
# Runs every benchmark and writes benchmarks/RESULTS.md: each layer of a flag read against the raw
# library call it wraps, the virtual-thread hit on JDK 21+, and the 64-thread cold-key stampede.
#
#   benchmarks/results.sh                          # a few minutes on 2 cores
#   FORKS=3 ITERATIONS=10 TIME=2s benchmarks/results.sh
#
# Settings (environment): FORKS=1 WARMUP=2 ITERATIONS=3 TIME=1s, ROUNDS=200 (stampede rounds),
# JAVA21_HOME (a JDK 21+ for the virtual-thread benchmark; default: the newest one found under
# /usr/lib/jvm), REBUILD=1 to force a build. Raw results and logs go to benchmarks/target/results/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
out="$here/target/results"

FORKS="${FORKS:-1}"
WARMUP="${WARMUP:-2}"
ITERATIONS="${ITERATIONS:-3}"
TIME="${TIME:-1s}"
ROUNDS="${ROUNDS:-200}"

# Build when the jar is missing or older than anything it measures.
stale() {
  [[ ! -f $jar ]] && return 0
  [[ -n $(find "$here/pom.xml" "$here/src" "$root/pom.xml" "$root"/sdk-*/src/main "$root/test-servers/src/main" \
      -newer "$jar" -print -quit 2>/dev/null) ]]
}
if [[ ${REBUILD:-0} == 1 ]] || stale; then
  echo "building $jar ..." >&2
  (cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi

# A JDK 21+ for the virtual-thread benchmark: JAVA21_HOME, else the newest under /usr/lib/jvm.
java21=""
if [[ -n ${JAVA21_HOME:-} ]]; then
  java21="$JAVA21_HOME/bin/java"
else
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' || true)
    if [[ -n $version && $version -ge 21 ]]; then
      java21="$candidate/bin/java"
      break
    fi
  done
fi

rm -rf "$out"
mkdir -p "$out"
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null | sed 's/ /, /g' || echo "?"; }
load_start="$(load)"
date_start="$(date -u '+%Y-%m-%d %H:%M UTC')"
jmh=(-f "$FORKS" -wi "$WARMUP" -i "$ITERATIONS" -w "$TIME" -r "$TIME" -prof gc)

# Runs JMH, NAME.json and NAME.log into $out. JMH allows one run per machine (a lock in /tmp): while
# another run holds it, wait and try again, for up to 30 minutes.
run_jmh() {
  local name="$1"
  shift
  for _ in $(seq 1 180); do
    java -jar "$jar" "$@" "${jmh[@]}" -rf json -rff "$out/$name.json" > "$out/$name.log" 2>&1 &
    local pid=$!
    tail -n +1 -f "$out/$name.log" --pid "$pid" | grep --line-buffered -E '^# (Benchmark|Parameters):|^Iteration|rror' >&2 || true
    wait "$pid" || true
    if ! grep -q 'Unable to acquire the JMH lock' "$out/$name.log"; then
      return
    fi
    echo "   another JMH run holds the machine's lock; waiting 10 s ..." >&2
    sleep 10
  done
}

echo "== layers against raw library calls (JDK $(java -version 2>&1 | head -1)) ..." >&2
run_jmh layers '\.(MemoryTierHit|RedisTierHit|GrpcPrimaryMiss|RestPrimaryMiss|MongoSecondary)Benchmark\.'

if [[ -n $java21 ]]; then
  echo "== memory-tier hit on virtual threads ($java21) ..." >&2
  run_jmh virtual-threads '\.VirtualThreadHitBenchmark\.' -jvm "$java21"
else
  echo "== no JDK 21+ found: skipping the virtual-thread benchmark (set JAVA21_HOME)" >&2
fi

echo "== 64 threads missing one cold key, $ROUNDS rounds ..." >&2
java -cp "$jar" dev.flagstack.benchmarks.ColdKeyStampede "$out/stampede.properties" "$ROUNDS" >&2

cat > "$out/run.properties" <<PROPS
date=$date_start
forks=$FORKS
warmup=$WARMUP
iterations=$ITERATIONS
time=$TIME
loadStart=$load_start
loadEnd=$(load)
PROPS
java -cp "$jar" dev.flagstack.benchmarks.ResultsReport "$here/RESULTS.md" "$out"
echo "wrote $here/RESULTS.md" >&2
