#!/usr/bin/env bash
# Runs the memory-tier hit benchmarks (or others, see BENCHMARKS) with the GC profiler and prints a
# Markdown table. benchmarks/results.sh runs them all and writes RESULTS.md.
#
#   benchmarks/run.sh                      # defaults below
#   FORKS=3 ITERATIONS=10 benchmarks/run.sh
#   benchmarks/run.sh 'OneThread'          # extra arguments go to JMH (a regex, -t, -jvmArgsAppend ...)
#
# Settings (environment): FORKS=1 WARMUP=3 ITERATIONS=5 TIME=1s, BENCHMARKS (JMH include regex,
# default MemoryTierHitBenchmark), REBUILD=1 to force a build. Results: target/jmh-result.json and .md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
json="$here/target/jmh-result.json"

FORKS="${FORKS:-1}"
WARMUP="${WARMUP:-3}"
ITERATIONS="${ITERATIONS:-5}"
TIME="${TIME:-1s}"
BENCHMARKS="${BENCHMARKS:-MemoryTierHitBenchmark}"

# Build when the jar is missing or older than the sources it measures.
stale() {
  [[ ! -f $jar ]] && return 0
  [[ -n $(find "$here/pom.xml" "$here/src" "$root/pom.xml" "$root"/sdk-*/src/main "$root/test-servers/src/main" \
      -newer "$jar" -print -quit 2>/dev/null) ]]
}
if [[ ${REBUILD:-0} == 1 ]] || stale; then
  echo "building $jar ..." >&2
  (cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi

mkdir -p "$(dirname "$json")"
java -jar "$jar" "$BENCHMARKS" \
  -f "$FORKS" -wi "$WARMUP" -i "$ITERATIONS" -w "$TIME" -r "$TIME" \
  -prof gc -rf json -rff "$json" "$@"

echo
java -cp "$jar" dev.flagstack.benchmarks.ReportTable "$json" | tee "${json%.json}.md"
