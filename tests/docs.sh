# tests/docs.sh: the usage blocks README.md and analysis/README.md quote
# are what the commands' --help print (the man pages are made from the
# same text).
# shellcheck shell=sh
. tests/lib.sh

plan_names help_in_readme_md help_in_analysis_readme_md
tap_relay python3 tests/checks/readme_help.py "$KVMSQUEEZE" README.md analysis/README.md
