#!/usr/bin/env bash
# The closing lines of a test run (scripts/test.sh calls it):
#
#   scripts/test-summary.sh nextest|cargo RUN_LOG SKIP_LOG STATUS
#
# RUN_LOG is the runner's output, SKIP_LOG the `TEST: REASON` lines tests
# recorded when they could not run here (a missing tool outside CI: the
# runner counted them as passed), STATUS the runner's exit code. Prints one
# `skipped: TEST: REASON` line per recorded skip, then, last, the counts
# from the runner's own summary with the recorded skips moved from passed
# to skipped:
#
#   tests: P passed, F failed, S skipped
#
# nextest's summary is its "Summary [...] N tests run: P passed, F failed,
# T timed out, S skipped" line (its skipped: ignored or filtered out);
# cargo test's is the sum of its "test result:" lines (skipped: ignored).
# Without a summary (the build failed) the last line says so instead.
set -euo pipefail

runner=$1 run_log=$2 skip_log=$3 status=$4

# The number before WORDS in LINE, or 0.
count() {
    local re="([0-9]+) $1"
    if [[ $2 =~ $re ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

plain=$(sed 's/\x1b\[[0-9;]*m//g' "$run_log" 2>/dev/null) || plain=
passed=0 failed=0 skipped=0 summary=
while IFS= read -r line; do
    if [ "$runner" = nextest ] && [[ $line =~ ^[[:space:]]*Summary\ .*\ run: ]]; then
        summary=$line
        passed=$(count passed "$line")
        failed=$(( $(count failed "$line") + $(count "timed out" "$line") ))
        skipped=$(count skipped "$line")
    elif [ "$runner" = cargo ] && [[ $line =~ ^test\ result: ]]; then
        summary=$line
        passed=$(( passed + $(count passed "$line") ))
        failed=$(( failed + $(count failed "$line") ))
        skipped=$(( skipped + $(count ignored "$line") ))
    fi
done <<<"$plain"

skips=$(sort -u "$skip_log" 2>/dev/null) || skips=
skipped_tests=0
if [ -n "$skips" ]; then
    echo
    while IFS= read -r line; do
        echo "skipped: $line"
    done <<<"$skips"
    # A test name has no ": " in it (modules are joined by "::").
    skipped_tests=$(sed 's/: .*//' <<<"$skips" | sort -u | wc -l)
fi
if [ -z "$summary" ]; then
    echo "tests: did not run to a summary (the runner exited $status)"
else
    moved=$(( skipped_tests < passed ? skipped_tests : passed ))
    echo "tests: $(( passed - moved )) passed, $failed failed, $(( skipped + moved )) skipped"
fi
