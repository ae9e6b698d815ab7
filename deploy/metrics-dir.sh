#!/bin/sh
# Runs a command with PROMETHEUS_MULTIPROC_DIR set to this container's own folder of the shared metrics volume
# (OPENLEG_METRICS_DIR): prometheus_client names its files by process id, and process ids repeat across containers.
# /metrics on the web sums the files of every folder. Counters of processes that ended keep counting in the sum,
# so it never goes down while the volume lives.
set -eu
export PROMETHEUS_MULTIPROC_DIR="${OPENLEG_METRICS_DIR:?set OPENLEG_METRICS_DIR to the shared metrics folder}/$(hostname)"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
exec "$@"
