# tests/layers.sh: the folders build from the ones below them only, and
# no two files call each other (README.md, Layout).
# shellcheck shell=sh
. tests/lib.sh

plan_names layers_includes layers_calls
tap_relay python3 tests/checks/layers.py includes .
tap_relay python3 tests/checks/layers.py calls "$BUILD"
