# SPDX-License-Identifier: GPL-2.0
# tests/kernel_arm.sh: the kernel arm's description. `kvmsqueeze run --arm
# FILE` records it whole as "arm" in every result, and refuses a bad
# FILE (not JSON, not an object, an unknown key, a value of another type,
# too long or too big, not a regular file) with one line naming the key,
# before anything is written; the schema knows the object. compare
# refuses arms of different bases (arm.base, arm.kernel_version) unless
# --force, which says so over the table, and so does report --plots for
# the sets it draws in one figure; runs without an arm are not refused,
# and mixed with runs that have one they get a note. The table's legend
# and index.html show each arm's base, series hash and parameters.
# shellcheck shell=sh
. tests/lib.sh

BAD="not_json array unknown_key number_for_string huge long_value newline bad_base no_base
fifo nul"
# shellcheck disable=SC2046,SC2086 # names, one a word
plan_names $(for b in $BAD; do echo "run_arm_$b"; done) run_arm_missing_file \
	run_arm_recorded run_arm_absent validate_arm validate_arm_unknown_key \
	validate_arm_bad_base compare_bases_refused compare_versions_refused \
	compare_bases_forced compare_bases_json compare_same_base compare_no_arm \
	compare_arm_mixed compare_three_sets report_bases_in_set report_arm_legend \
	report_plots_bases_refused report_plots_bases_forced \
	result_arm_wrong_type result_arm_hostile compare_arm_html

EDIT=tests/tools/edit_result.py
A=$TMP/arm
mkdir -p "$A"
GOOD='{"name": "eager-off", "base": "debian-6.12", "kernel_version": "6.12.57",
 "series": "patched-kernel/patches/legacy (0 patches)", "series_patches": 0,
 "series_hash": "1a2b3c4d", "config": "lab.config hugetlb.config",
 "config_hash": "5e6f7a8b", "params": "kvm.eager_page_split=N",
 "image": "legacy", "release": "6.12.57-kvmsq-legacy-1a2b3c4d"}'
printf '%s\n' "$GOOD" >"$A/good.json"
printf '%s\n' '{ "name": "arm", "question": "q", "duration_s": 1,
  "vms": [ { "vcpus": 1, "mem": "64M", "guest": "touch" } ] }' >"$A/spec.json"

# bad_arm NAME TEXT: the --arm file of run_arm_NAME
bad_arm() { printf '%s\n' "$2" >"$A/$1.json"; }
bad_arm not_json 'name: eager-off'
bad_arm array '["eager-off", "debian-6.12"]'
bad_arm unknown_key '{"name": "x", "base": "debian-6.12", "cmdline": "quiet"}'
bad_arm number_for_string '{"name": "x", "base": "debian-6.12", "series_hash": 12345678}'
bad_arm long_value "{\"name\": \"x\", \"base\": \"debian-6.12\", \"params\": \"$(printf '%3000s' p)\"}"
# shellcheck disable=SC2016 # a command in backquotes, never run
bad_arm newline '{"name": "x", "base": "debian-6.12", "params": "a\n`reboot`"}'
bad_arm bad_base '{"name": "x", "base": "linux-6.12"}'
bad_arm no_base '{"name": "x", "params": ""}'
python3 -c 'print("{\"name\": \"x\", \"params\": \"" + "y" * 100000 + "\"}")' >"$A/huge.json"
printf '{"name": "x",\000 "base": "debian-6.12"}\n' >"$A/nul.json"
mkfifo "$A/fifo.json"

# run_arm NAME STATUS REGEX: `run --arm $A/NAME.json` exits STATUS with one
# line of error matching REGEX, no crash, and writes nothing to its --out.
run_arm() {
	if refused "$1" "$2" "$3" "$KVMSQUEEZE" run "$A/spec.json" \
		--arm "$A/${1#run_arm_}.json" --out "$A/out-$1"; then
		if [ -e "$A/out-$1" ]; then
			fail "$1" "$A/out-$1 was created"
		else
			ok "$1"
		fi
	fi
}
F="^kvmsqueeze: --arm $A"
run_arm run_arm_not_json 1 "$F/not_json.json: not JSON: "
run_arm run_arm_array 1 "$F/array.json: not a JSON object \(array\)"
run_arm run_arm_unknown_key 1 "$F/unknown_key.json: unknown key \"cmdline\" \(the keys: name, base,"
run_arm run_arm_number_for_string 1 "$F/number_for_string.json: \"series_hash\" is 12345678, not a string$"
run_arm run_arm_huge 1 "$F/huge.json: not a regular file of at most 16384 bytes$"
run_arm run_arm_long_value 1 "$F/long_value.json: \"params\" is 3000 bytes long, at most 2048$"
run_arm run_arm_newline 1 "$F/newline.json: \"params\": a byte that is not printable ASCII at byte 1 of "
run_arm run_arm_bad_base 1 "$F/bad_base.json: \"base\" is \"linux-6.12\", not debian-<version> or git:<tree>@<commit>$"
run_arm run_arm_no_base 1 "$F/no_base.json: no \"base\" \(name and base are required\)$"
run_arm run_arm_fifo 1 "$F/fifo.json: not a regular file"
run_arm run_arm_nul 1 "$F/nul.json: a NUL byte at byte 13 "
run_arm run_arm_missing_file 1 "$F/missing_file.json: No such file"

# A run records the file whole; without --arm there is no "arm".
why=$(kvm_missing)
if [ -n "$why" ]; then
	skip run_arm_recorded "$why"
	skip run_arm_absent "$why"
else
	if run_exits run_arm_recorded 0 "$A/spec.json" --arm "$A/good.json" --out "$A/rec" &&
		valid run_arm_recorded "$A/rec/rep-1.json"; then
		if python3 - "$A/good.json" "$A/rec/rep-1.json" <<'PY'; then
import json, sys
want = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2])).get("arm")
sys.exit(0 if got == want else f"arm is {got!r}, want {want!r}")
PY
			ok run_arm_recorded
		else
			fail run_arm_recorded "the result's arm is not the file's"
		fi
	fi
	if run_exits run_arm_absent 0 "$A/spec.json" --out "$A/plain" &&
		valid run_arm_absent "$A/plain/rep-1.json"; then
		if grep -q '"arm": {' "$A/plain/rep-1.json"; then
			fail run_arm_absent "an arm object without --arm"
		else
			ok run_arm_absent
		fi
	fi
fi

# The schema has the object: the lab's result with an arm validates; an
# unknown key or a base of no known kind does not.
if ! why=$(python3 tests/checks/schema_lib.py 2>&1); then
	why="no python3-jsonschema (scripts/deps test): $(echo "$why" | tail -n 1)"
	skip validate_arm "$why"
	skip validate_arm_unknown_key "$why"
	skip validate_arm_bad_base "$why"
else
	gunzip -c tests/fixtures/results/lab-legacy-shrinker-storm.json.gz >"$A/lab.json"
	python3 "$EDIT" arm "$A/lab.json" "$A/lab-arm.json" debian-6.1 6.1.158
	valid validate_arm "$A/lab-arm.json" && ok validate_arm
	# validate_bad NAME EXPECTED EDIT ARG...: the edited result is refused
	validate_bad() {
		vb_name=$1 vb_want=$2
		shift 2
		python3 "$EDIT" "$@"
		if python3 tests/validate_result.py "$A/bad.json" >"$TMP/val" 2>&1; then
			fail "$vb_name" "accepted"
		elif ! grep -Eq -- "$vb_want" "$TMP/val"; then
			fail "$vb_name" "$(head -n 2 "$TMP/val" | tr '\n' ' ')"
		else
			ok "$vb_name"
		fi
	}
	validate_bad validate_arm_unknown_key "arm: undocumented key 'cmdline'" \
		arm_key "$A/lab-arm.json" "$A/bad.json" cmdline '"quiet"'
	validate_bad validate_arm_bad_base "arm.base: 'debian-6' does not match" \
		arm_key "$A/lab-arm.json" "$A/bad.json" base '"debian-6"'
fi

# one_line_err NAME: stderr is one line
one_line_err() {
	if [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		fail "$1" "stderr is not one line: $(tr '\n' '|' <"$TMP/err")"
		return 1
	fi
}

# email_ok NAME: stdout is at most 72 columns of ASCII
email_ok() {
	if awk 'length > 72' "$TMP/out" | grep -q . || LC_ALL=C grep -q '[^ -~]' "$TMP/out"; then
		fail "$1" "not 72 columns of ASCII: $(awk 'length > 72' "$TMP/out" | head -n 1)"
		return 1
	fi
}

# Made-up results (tests/fixtures/analysis/make-results.py): a and b are
# alike but for their values; host is a's without an arm.
FX=$TMP/fx
python3 tests/fixtures/analysis/make-results.py "$FX"
# with_arm SRC DST ARG...: the set SRC as other runs in DST (--set: run.id
# gets the name of DST), each with an arm of ARG (edit_result.py arm:
# base, kernel version, params, series hash)
with_arm() {
	wa_src=$1 wa_dst=$2
	shift 2
	python3 "$EDIT" --set "${wa_dst##*/}" "$wa_src" "$wa_dst"
	for f in "$wa_dst"/rep-*.json; do
		python3 "$EDIT" arm "$f" - "$@"
	done
}
S=$TMP/sets
with_arm "$FX/a" "$S/legacy" debian-6.12 6.12.57 "" 1a2b3c4d
with_arm "$FX/b" "$S/old-base" debian-6.1 6.1.158 "" 1a2b3c4d
with_arm "$FX/b" "$S/newer" debian-6.12 6.12.63 "" 1a2b3c4d
with_arm "$FX/b" "$S/eager-off" debian-6.12 6.12.57 kvm.eager_page_split=N 1a2b3c4d
with_arm "$FX/c" "$S/shrinker" debian-6.12 6.12.57 "" 9f8e7d6c

expect compare_bases_refused 1 "^kvmsqueeze: compare: refusing to compare: arm.base differs: \"debian-6.12\" in set legacy \($S/legacy/rep-1.json\), \"debian-6.1\" in set old-base \($S/old-base/rep-1.json\): .* \(--force compares them anyway\)$" \
	compare "$S/legacy" "$S/old-base" && one_line_err compare_bases_refused &&
	if [ -s "$TMP/out" ]; then
		fail compare_bases_refused "a table before the refusal: $(head -n 3 "$TMP/out")"
	else
		ok compare_bases_refused
	fi
expect compare_versions_refused 1 "refusing to compare: arm.kernel_version differs: \"6.12.57\" in set legacy .*, \"6.12.63\" in set newer \($S/newer/rep-1.json\)" \
	compare "$S/legacy" "$S/newer" && ok compare_versions_refused

if expect compare_bases_forced 0 "arm.base differs: .*compared anyway \(--force\)" \
	compare --force "$S/legacy" "$S/old-base"; then
	tr '\n' ' ' <"$TMP/out" | tr -s ' ' >"$TMP/flat"
	if ! grep -q "FORCED: the kernels' bases differ (--force): arm.base debian-6.12 in legacy, debian-6.1 in old-base" "$TMP/flat"; then
		fail compare_bases_forced "no FORCED line of the bases: $(head -n 12 "$TMP/out")"
	elif ! grep -q "old-base: 5 runs, kernel 6.12.0-fixture, base debian-6.1, series 1a2b3c4d, params none," "$TMP/flat"; then
		fail compare_bases_forced "no base in old-base's legend: $(head -n 12 "$TMP/out")"
	elif ! grep -q '^fault p50 ' "$TMP/out"; then
		fail compare_bases_forced "no table"
	else
		ok compare_bases_forced
	fi
fi
expect compare_bases_json 0 "" compare --force --format json "$S/legacy" "$S/old-base" &&
	if python3 - "$TMP/out" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
arms = d["tables"][0]["arms"]
bases = [a["arm"]["base"] for a in arms]
sys.exit(0 if bases == ["debian-6.12", "debian-6.1"] and d["forced"] else f"{bases} {d['forced']}")
PY
		ok compare_bases_json
	else
		fail compare_bases_json "the arms' arm objects are not in the JSON"
	fi

# One base: the legends say what differs (series, parameters); no note.
if expect compare_same_base 0 "" compare "$S/legacy" "$S/eager-off" "$S/shrinker"; then
	tr '\n' ' ' <"$TMP/out" | tr -s ' ' >"$TMP/flat"
	if grep -q 'FORCED\|^Note: runs of' "$TMP/out" || [ -s "$TMP/err" ]; then
		fail compare_same_base "a note or warning: $(grep 'FORCED\|Note' "$TMP/out") $(cat "$TMP/err")"
	elif ! grep -q "eager-off: 5 runs, kernel 6.12.0-fixture, base debian-6.12, series 1a2b3c4d, params kvm.eager_page_split=N, mmu tdp" "$TMP/flat" ||
		! grep -q "shrinker: 5 runs, kernel 6.12.0-fixture, base debian-6.12, series 9f8e7d6c, params none" "$TMP/flat"; then
		fail compare_same_base "legends lack base, series or params: $(head -n 12 "$TMP/out")"
	else
		email_ok compare_same_base && ok compare_same_base
	fi
fi

# Results without an arm: compared as before, with no note.
expect compare_no_arm 0 "" compare "$FX/a" "$FX/b" &&
	if grep -q 'Note: runs of\|base ' "$TMP/out" || [ -s "$TMP/err" ]; then
		fail compare_no_arm "$(grep 'Note\|base' "$TMP/out" | head -n 2) $(cat "$TMP/err")"
	else
		ok compare_no_arm
	fi
# Mixed: a note over the table and a warning, no refusal.
if expect compare_arm_mixed 0 "^kvmsqueeze: warning: runs of host do not say which kernel base they ran on" \
	compare "$S/legacy" "$FX/host"; then
	tr '\n' ' ' <"$TMP/out" | tr -s ' ' >"$TMP/flat"
	if grep -q "Note: runs of host do not say which kernel base they ran on" "$TMP/flat"; then
		ok compare_arm_mixed
	else
		fail compare_arm_mixed "no note: $(head -n 10 "$TMP/out")"
	fi
fi
# Three sets, the third of another base: refused, naming the first and it.
expect compare_three_sets 1 "arm.base differs: \"debian-6.12\" in set legacy .*\"debian-6.1\" in set old-base" \
	compare "$S/legacy" "$S/eager-off" "$S/old-base" && ok compare_three_sets

# report: the runs of one set on two bases are refused; its legend shows
# the set's base.
cp -r "$S/legacy" "$S/mixed"
python3 "$EDIT" arm "$S/mixed/rep-3.json" - debian-6.1 6.1.158
expect report_bases_in_set 1 "refusing to summarise $S/mixed: arm.base differs: .*\(--force summarises them anyway\)$" \
	report "$S/mixed" && ok report_bases_in_set
expect report_arm_legend 0 "" report "$S/eager-off" &&
	tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -q "base debian-6.12, series 1a2b3c4d, params kvm.eager_page_split=N" &&
	ok report_arm_legend

# report --plots draws the sets of an experiment in one figure: not sets
# of different bases, unless --force. Without --plots each set is a table
# of its own, and they are summarised.
expect report_plots_bases_refused 1 "^kvmsqueeze: report: refusing to plot the sets of fixture together: arm.base differs: .* \(--force summarises them anyway\)$" \
	report --plots "$TMP/rplots" "$S/legacy" "$S/old-base" &&
	if [ -s "$TMP/out" ] || [ -e "$TMP/rplots" ]; then
		fail report_plots_bases_refused "output before the refusal"
	else
		ok report_plots_bases_refused
	fi
"$KVMSQUEEZE" report --force --plots "$TMP/rplots" "$S/legacy" "$S/old-base" >"$TMP/out" 2>"$TMP/err"
if ! grep -q "arm.base differs: .*plotted together anyway (--force)" "$TMP/err"; then
	fail report_plots_bases_forced "no warning: $(tr '\n' '|' <"$TMP/err")"
elif ! tr '\n' ' ' <"$TMP/out" | grep -q "FORCED: the runs of some set differ in kernel base, .*, or sets of different kernel bases are plotted together"; then
	fail report_plots_bases_forced "no FORCED line: $(head -n 8 "$TMP/out")"
elif ! "$KVMSQUEEZE" report "$S/legacy" "$S/old-base" >"$TMP/out" 2>"$TMP/err"; then
	fail report_plots_bases_forced "report without --plots refused: $(cat "$TMP/err")"
else
	ok report_plots_bases_forced
fi

# A result is untrusted: the arm's fields are type-checked, and what is
# shown of them is safe and keeps the table in 72 columns.
cp -r "$S/legacy" "$S/bad-type"
python3 "$EDIT" arm_key "$S/bad-type/rep-2.json" - base 5
expect result_arm_wrong_type 1 "^kvmsqueeze: report: $S/bad-type/rep-2.json: arm.base is 5, not a non-empty string without NUL$" \
	report "$S/bad-type" && ok result_arm_wrong_type
# shellcheck disable=SC2016 # commands in the value, never run
with_arm "$FX/b" "$S/hostile" debian-6.12 6.12.57 \
	"$(printf 'x\n`touch %s/PWNED` $(reboot) \033[31m\303\251 %0500d' "$TMP" 0)" '<b>'
if expect result_arm_hostile 0 "" compare "$S/legacy" "$S/hostile" && email_ok result_arm_hostile; then
	if [ -e "$TMP/PWNED" ]; then
		fail result_arm_hostile "a command ran"
	elif ! tr '\n' ' ' <"$TMP/out" | grep -q 'params x?`touch'; then
		fail result_arm_hostile "params not shown safe: $(grep -A3 '^hostile' "$TMP/out")"
	else
		ok result_arm_hostile
	fi
fi

# index.html: the base, series hash and parameters of each arm.
"$KVMSQUEEZE" compare --plots "$TMP/plots" "$S/legacy" "$S/eager-off" >"$TMP/out" 2>"$TMP/err"
if [ ! -f "$TMP/plots/index.html" ]; then
	fail compare_arm_html "no index.html: $(tail -n 1 "$TMP/err")"
elif ! grep -q '<td>debian-6.12</td><td>1a2b3c4d</td><td>kvm.eager_page_split=N</td>' \
	"$TMP/plots/index.html"; then
	fail compare_arm_html "no base, series hash and parameters in the runs' table"
else
	ok compare_arm_html
fi
