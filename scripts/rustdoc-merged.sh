#!/bin/sh
# rustdoc with RUSTC_BOOTSTRAP=1, for `--merge-doctests=yes` (unstable on edition 2021): set as
# RUSTDOC by scripts/test.sh's doctests only. Given to cargo instead, RUSTC_BOOTSTRAP would change
# rustc's fingerprint and rebuild the crate and its dependencies.
RUSTC_BOOTSTRAP=1 exec rustdoc "$@"
