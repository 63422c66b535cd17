#!/bin/sh
# install-deps.sh — install the Debian 12 packages provtrace builds, tests and benchmarks with.
# Idempotent; needs root (or sudo). Used by the README and by .ci/run.
set -eu

pkgs="
  build-essential autoconf automake libtool pkg-config git ca-certificates
  liblmdb-dev lmdb-utils libmsgpack-dev libunwind-dev
  librdf0-dev raptor2-utils rasqal-utils redland-utils librdf-storage-sqlite
  libgraphviz-dev graphviz
  libopenmpi-dev openmpi-bin python3-mpi4py
  python3 python3-numpy python3-rdflib python3-prov
  slurm-wlm slurm-client munge libslurm-dev
  mandoc man-db strace ltrace valgrind hyperfine sqlite3 make tar liburing-dev
  clang libclang-rt-14-dev libjemalloc2 libtcmalloc-minimal4
  chromium
  libxxhash-dev xxhash zstd util-linux libarchive-dev
  libhdf5-dev libnetcdf-dev libzip-dev libjson-c-dev python3-h5py python3-netcdf4
  libcurl4-gnutls-dev virtuoso-opensource curl
  libpq-dev postgresql librdf-storage-postgresql
  libyaml-dev python3-yaml python3-lmdb
"

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "install-deps.sh: must run as root (or with sudo)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
