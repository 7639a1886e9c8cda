# tests/analysis.sh: kvmsqueeze report and compare on real results of this
# host: an A/A comparison shows (almost) nothing, a planted +30% in fault
# latency shows, different experiments and MMU modes are refused unless
# --force, text is at most 72 columns of ASCII, plots are drawn.
# ANALYSIS_REPS (default 10) sets the repetitions per set.
# shellcheck shell=sh
. tests/lib.sh

REPS=${ANALYSIS_REPS:-10}

FLOORS="9999 100 -1 abc"
# the tests on runs of this host (they need KVM), first those on A/A sets
RESULT_TESTS="report_text report_na aa_not_significant planted_effect text_4_arms
refuse_experiment force_overrides refuse_mmu incomplete_skipped noise_floors csv json
seed_reproducible plots plots_reproducer"
LATER_TESTS="label_names_sets label_only_first label_too_many label_clash label_help
report_na_reasons singular_run singular_vcpu plots_format"
# shellcheck disable=SC2046,SC2086 # names, one a word
plan_names report_help compare_help compare_no_args report_bad_format report_no_results \
	report_not_result dup_dir dup_symlink dup_file dup_run \
	$(for v in $FLOORS; do echo "floor_refused_$v"; done) floor_taken \
	clock_absent_is_host clock_refused clock_forced primary_spec primary_none primary_option \
	primary_replaced primary_unknown primary_csv primary_json mde_text mde_json na_footnote \
	drift_trend drift_shuffled drift_report drift_json drift_csv schema_string schema_float \
	schema_bool complete_string summary_missing rep_string truncated newline_one_line \
	newline_empty_dir status_ok status_failed status_interrupted status_forced \
	pressure_refused pressure_forced huge_values huge_report plots_hostile_report \
	plots_hostile_compare plots_hostile_experiment $RESULT_TESTS $LATER_TESTS

# email_text NAME FILE: every line at most 72 columns, ASCII only.
email_text() {
	long=$(awk 'length > 72' "$2" | head -n 1)
	if [ -n "$long" ]; then
		fail "$1" "line over 72 columns: $long"
		return 1
	fi
	if LC_ALL=C grep -q '[^ -~]' "$2"; then
		fail "$1" "not ASCII: $(LC_ALL=C grep -m1 '[^ -~]' "$2")"
		return 1
	fi
	return 0
}

# No results needed.
expect report_help 0 "" report --help && grep -q -- '--plots' "$TMP/out" && ok report_help
expect compare_help 0 "" compare --help && grep -q 'tested for significance' "$TMP/out" && ok compare_help
expect compare_no_args 2 "give two or more result directories" compare && ok compare_no_args
expect report_bad_format 2 "--format 'xml'" report --format xml /tmp && ok report_bad_format
mkdir -p "$TMP/empty"
expect report_no_results 1 "no rep-<n>.json result files" report "$TMP/empty" &&
	ok report_no_results
echo '{"hello": 1}' >"$TMP/empty/rep-1.json"
expect report_not_result 1 "not a kvmsqueeze result" report "$TMP/empty/rep-1.json" &&
	ok report_not_result

# Small made-up results (tests/fixtures/analysis/make-results.py): what
# they must give is known, and they need no KVM.
FX=$TMP/fx
python3 tests/fixtures/analysis/make-results.py "$FX"

# A run counted twice is refused: with the same directory given three
# times, a p of 0.119 (a against b) would turn into a star.
# --force cannot make it count once, so no hint offers it (the hint comes
# from the refusal's return code, not from the message).
if expect dup_dir 1 "$FX/a and $FX/a are the same directory" \
	compare "$FX/a" "$FX/b" "$FX/a" "$FX/a"; then
	if grep -q -- --force "$TMP/err"; then
		fail dup_dir "offers --force: $(cat "$TMP/err")"
	else
		ok dup_dir
	fi
fi
ln -s "$FX/a" "$TMP/a-link"
expect dup_symlink 1 "$FX/a and $TMP/a-link/ are the same directory" \
	compare "$FX/a" "$FX/b" "$TMP/a-link/" && ok dup_symlink
expect dup_file 1 "$FX/a/rep-1.json and $FX/a/rep-1.json are the same file" \
	report "$FX/a" "$FX/a/rep-1.json" && ok dup_file
cp -r "$FX/a" "$TMP/a-copy"
expect dup_run 1 "$FX/a/rep-1.json and $TMP/a-copy/rep-1.json are the same run \(run.id" \
	compare "$FX/a" "$TMP/a-copy" && ok dup_run

# --floor is a percentage below 100: 9999 (once accepted as 9999%) and
# -1 are usage errors; 2.5 is taken.
for v in $FLOORS; do
	expect "floor_refused_$v" 2 "--floor '$v': expected a percentage from 0 to below 100" \
		compare --floor "$v" "$FX/a" "$FX/b" && ok "floor_refused_$v"
done
if expect floor_taken 0 "" compare --floor 2.5 "$FX/a" "$FX/b"; then
	if grep -Eq '^fault p50 +2\.5% ' "$TMP/out"; then
		ok floor_taken
	else
		fail floor_taken "no 2.5% floor: $(grep '^fault p50 ' "$TMP/out" | tail -n 1)"
	fi
fi

# Clocks: absent is "host"; icount and host are not compared unless --force.
expect clock_absent_is_host 0 "" compare "$FX/a" "$FX/host" && ok clock_absent_is_host
expect clock_refused 1 "refusing to compare: host.clock differs: \"host\" in $FX/a/rep-1.json, \"icount\" in $FX/icount/rep-1.json \(--force" \
	compare "$FX/a" "$FX/icount" && ok clock_refused
expect clock_forced 0 "host.clock differs.*compared anyway" compare --force "$FX/a" "$FX/icount" &&
	grep -q FORCED "$TMP/out" && ok clock_forced

# Primaries: only they are tested for significance (Holm over them).
if expect primary_spec 0 "" compare "$FX/a" "$FX/b" "$FX/c"; then
	tr '\n' '~' <"$TMP/out" >"$TMP/flat"
	if ! grep -q '^Primary (spec.primary): fault p50\.$' "$TMP/out"; then
		fail primary_spec "no primary line: $(grep -i primary "$TMP/out" | head -n 2)"
	elif ! grep -q '~primary:~fault p50 (us) .*(+6\.5%)~exploratory (never starred):~' "$TMP/flat"; then
		fail primary_spec "b: fault p50 not under primary, or starred at p 0.119"
	elif ! grep -Eq '^fault p50 (\(us\))? .*\(\*\+30\.0%\*\)$' "$TMP/out"; then
		fail primary_spec "c: fault p50 +30% (p 0.0079) not starred: $(grep '^fault p50' "$TMP/out")"
	elif grep -E '^run time' "$TMP/out" | grep -q '\*'; then
		fail primary_spec "exploratory run time starred: $(grep '^run time' "$TMP/out")"
	elif ! grep -Eq '^run time +5\.0% +0\.0079  ' "$TMP/out"; then
		fail primary_spec "exploratory run time without its raw p: $(grep '^run time' "$TMP/out")"
	else
		ok primary_spec
	fi
fi
if expect primary_none 0 "" compare "$FX/old-a" "$FX/old-c"; then
	if grep -Eq '\(\*[-+]|[0-9]\*$' "$TMP/out"; then
		fail primary_none "starred without primaries: $(grep -E '\(\*[-+]|[0-9]\*$' "$TMP/out" | head -n 1)"
	elif ! tr '\n' ' ' <"$TMP/out" | grep -q 'No primary metrics: the spec names none.*--primary'; then
		fail primary_none "no line saying there are no primaries"
	else
		ok primary_none
	fi
fi
expect primary_option 0 "" compare --primary fault_p50_ns "$FX/old-a" "$FX/old-c" &&
	grep -q '^Primary (--primary): fault p50\.$' "$TMP/out" &&
	grep -Eq '^fault p50 .*\(\*\+30\.0%\*\)$' "$TMP/out" && ok primary_option
expect primary_replaced 0 "" compare --primary run_s,fault_p99_ns "$FX/a" "$FX/c" &&
	tr '\n' ' ' <"$TMP/out" | grep -q "Primary (--primary, in place of the spec's: fault p50): run time, fault p99\." &&
	ok primary_replaced
expect primary_unknown 2 "--primary: 'fault_p51_ns' is not a metric id" \
	compare --primary fault_p50_ns,fault_p51_ns "$FX/a" "$FX/c" && ok primary_unknown
expect primary_csv 0 "" compare --format csv "$FX/a" "$FX/b" &&
	report_check primary_csv csv_primary "$TMP/out" && ok primary_csv
expect primary_json 0 "" compare --format json "$FX/a" "$FX/b" &&
	report_check primary_json holm_on_primary "$TMP/out" fault_p50_ns run_s && ok primary_json

# --mde: the smallest change each primary could have shown starred.
if expect mde_text 0 "" compare --mde "$FX/a" "$FX/b"; then
	if grep -q '^Smallest detectable change (--mde)' "$TMP/out" &&
		grep -Eq '^fault p50 +[0-9]+\.[0-9]{2}% *$|^fault p50 +- *$' "$TMP/out"; then
		ok mde_text
	else
		fail mde_text "no --mde section: $(tail -n 3 "$TMP/out" | tr '\n' ' ')"
	fi
fi
expect mde_json 0 "" compare --mde --format json "$FX/a" "$FX/b" &&
	report_check mde_json mde_on_primary "$TMP/out" fault_p50_ns run_s && ok mde_json

# n/a cells say why: c has no memcg source, and says so.
if expect na_footnote 0 "" compare "$FX/a" "$FX/c"; then
	tr '\n' '~' <"$TMP/out" | sed 's/~  / /g' | tr '~' '\n' >"$TMP/joined"
	if ! grep -Eq '^cg kernel mem peak \(MiB\) +4\.77 \+-0\.0% +n/a\[1\]$' "$TMP/joined"; then
		fail na_footnote "no n/a[1] cell: $(grep '^cg kernel mem peak' "$TMP/joined")"
	elif ! grep -q "^n/a\[1\]: source 'memcg' unavailable: memory.stat: Permission denied (run as root)\.$" "$TMP/joined"; then
		fail na_footnote "no footnote 1: $(grep '^n/a\[' "$TMP/joined" | head -n 1)"
	elif ! grep -q "KVM count passes, KVM freed in passes, all count passes (n/a\[5\])" "$TMP/joined" ||
	     ! grep -q "^n/a\[5\]: source 'shrink_trace' unavailable: tracefs is not mounted" "$TMP/joined"; then
		fail na_footnote "shrinker metrics not blamed on shrink_trace: $(grep -i 'shrinker' "$TMP/joined" | head -n 2)"
	else
		ok na_footnote
	fi
fi

# Drift: a metric that rises with the block in both arms, and the same
# values with the blocks shuffled.
if expect drift_trend 0 "" compare --drift "$FX/trend-a" "$FX/trend-b" &&
   grep -Eq '^fault p50 +16 +\+0\.[89][0-9] +<?0\.000[0-9] +follows the run order$' "$TMP/out"; then
	ok drift_trend
else
	fail drift_trend "trend not found: $(grep -A3 '^Drift' "$TMP/out" | tail -n 1)"
fi
if expect drift_shuffled 0 "" compare --drift "$FX/flat-a" "$FX/flat-b" &&
   grep -q '^fault p50 *16 ' "$TMP/out" && ! grep -q 'follows the run order' "$TMP/out"; then
	ok drift_shuffled
else
	fail drift_shuffled "$(grep '^fault p50 *16' "$TMP/out")"
fi
expect drift_report 0 "" report --drift=all "$FX/a" &&
	tr '\n' ' ' <"$TMP/out" | grep -q 'against its start time (run.started_at; no run has run.block)' &&
	grep -q '^run time *5 *- *- *$' "$TMP/out" && ok drift_report
expect drift_json 0 "" compare --drift --format json "$FX/trend-a" "$FX/trend-b" &&
	report_check drift_json drift_found "$TMP/out" && ok drift_json
expect drift_csv 2 "--drift: the CSV has one line per metric and arm" \
	compare --drift --format csv "$FX/a" "$FX/b" && ok drift_csv

# one_line NAME: stderr is exactly one line (a name from a result may
# hold a newline; the message must not).
one_line() {
	if [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		fail "$1" "stderr is not one line: $(tr '\n' '|' <"$TMP/err")"
		return 1
	fi
	return 0
}

# Results are untrusted: the fields read have one type each, refused on
# one line. bad_copy NAME EDIT: $FX/a with rep-1.json edited by the EDIT
# of tests/tools/edit_result.py.
mkdir -p "$TMP/bad"
bad_copy() {
	cp -r "$FX/a" "$TMP/bad/$1" &&
		python3 tests/tools/edit_result.py "$2" "$TMP/bad/$1/rep-1.json"
}
bad_copy schema-string schema_string
bad_copy schema-float schema_float
bad_copy schema-bool schema_bool
bad_copy complete-string complete_string
bad_copy no-summary no_summary
bad_copy rep-string rep_string
bad_copy 'new
line' schema_string
B=$TMP/bad
expect schema_string 1 "^kvmsqueeze: report: $B/schema-string/rep-1.json: \"schema\" is \"1\", not the integer 1$" \
	report "$B/schema-string" && one_line schema_string && ok schema_string
expect schema_float 1 "rep-1.json: \"schema\" is 1.9, not the integer 1$" \
	report "$B/schema-float" && ok schema_float
expect schema_bool 1 "rep-1.json: \"schema\" is true, not the integer 1$" \
	report "$B/schema-bool" && ok schema_bool
expect complete_string 1 "rep-1.json: \"complete\" is \"false\", not true or false$" \
	compare "$FX/b" "$B/complete-string" && one_line complete_string && ok complete_string
expect summary_missing 1 "$B/no-summary/rep-1.json: no summary" \
	report "$B/no-summary" && ok summary_missing
expect rep_string 1 "rep-1.json: run.rep is \"1\", not a whole number from 1$" \
	report "$B/rep-string" && ok rep_string
cp -r "$FX/a" "$B/cut"
head -c 300 "$FX/a/rep-1.json" >"$B/cut/rep-1.json"
expect truncated 1 "^kvmsqueeze: report: $B/cut/rep-1.json: not a JSON document \(truncated or corrupt\): it ends too soon$" \
	report "$B/cut" && ok truncated
# a directory name with a newline: the error is one line still
expect newline_one_line 1 "^kvmsqueeze: report: $B/new\?line/rep-1.json: \"schema\" is \"1\"" \
	report "$B/new
line" && one_line newline_one_line && ok newline_one_line
mkdir "$B/empty
dir"
expect newline_empty_dir 1 "^kvmsqueeze: report: $B/empty\?dir: no rep-<n>.json result files" \
	report "$B/empty
dir" && one_line newline_empty_dir && ok newline_empty_dir

# A run that did not end well, or whose pressure was never applied, is
# refused unless --force; results without those keys read as before.
expect status_ok 0 "" compare "$FX/a" "$FX/status-ok" && ok status_ok
expect status_failed 1 "^kvmsqueeze: compare: refusing $FX/failed/rep-3.json: the run did not end well \(run.status \"failed\"\): vm1: exit 3: KVM_RUN: Bad address \(--force compares them anyway\)$" \
	compare "$FX/status-ok" "$FX/failed" && one_line status_failed && ok status_failed
expect status_interrupted 1 "refusing $FX/interrupted/rep-2.json: the run did not end well \(run.status \"interrupted\"\): vms\[1\].status is \"killed\"" \
	report "$FX/interrupted" && ok status_interrupted
expect status_forced 0 "warning: $FX/failed/rep-3.json: the run did not end well .*; counted anyway \(--force\)$" \
	compare --force "$FX/status-ok" "$FX/failed" &&
	grep -q '^FORCED: 1 run that did not end well or never applied its pressure is$' "$TMP/out" &&
	ok status_forced
expect pressure_refused 1 "refusing $FX/no-pressure/rep-4.json: pressure that was never applied \(summary.pressure_applied false\)" \
	report "$FX/no-pressure" && ok pressure_refused
expect pressure_forced 0 "pressure that was never applied" \
	report --force --format json "$FX/no-pressure" &&
	report_check pressure_forced forced "$TMP/out" 1 && ok pressure_forced

# Finite values at the edge of a double (1.7e308): a correct table, not
# "out of memory".
if expect huge_values 0 "" compare --drift=all "$FX/a" "$FX/huge" &&
   email_text huge_values "$TMP/out"; then
	if grep -Eq '^run time \(s\) +1 \+-0% +1\.7e\+308 \+-0% \(\+>1e5%\)$' "$TMP/out"; then
		ok huge_values
	else
		fail huge_values "run time row: $(grep '^run time' "$TMP/out" | head -n 1)"
	fi
fi
if expect huge_report 0 "" report "$FX/huge" && email_text huge_report "$TMP/out" &&
   grep -Eq '^run time \(s\) +5 +1\.7e\+308 +1\.7e\+308 +1\.7e\+308$' "$TMP/out"; then
	ok huge_report
else
	fail huge_report "run time row: $(grep '^run time' "$TMP/out" | head -n 1)"
fi

# Plots from hostile names: host.arm, phase names, the experiment, the
# directories and the --plots directory itself, with newlines, quotes,
# backquotes, backslashes, '@' and system(): no command runs (a file
# pwned-* would appear), every name reaches the scripts as '?'s in single
# quotes, and the images are drawn. A real result of this host is the base.
H=$TMP/hostile
mkdir -p "$H"
python3 tests/fixtures/analysis/make-hostile.py tests/fixtures/analysis/host-baseline.json "$H" "$TMP"
PD="$TMP/plots 'q\"\`touch pwned-plotdir\`"
if command -v gnuplot >/dev/null 2>&1; then want=0; else want=1; fi
# gp_check NAME DIR: no command ran, no backquote or control character in
# the scripts and data, the images are there, the arm x\n`touch ...` is
# 'x??touch ...?' with a note.
gp_check() {
	pwned=$(find "$TMP" -name 'pwned*' | head -n 3 | tr '\n' ' ')
	# shellcheck disable=SC2012 # ls counts and lists the plots, one name a line
	if [ -n "$pwned" ]; then
		fail "$1" "a command ran: $pwned"
	elif grep -l '`' "$2"/*.gp "$2"/*.dat >/dev/null 2>&1; then
		fail "$1" "a backquote in $(grep -l '`' "$2"/*.gp "$2"/*.dat | head -n 1)"
	elif LC_ALL=C grep -q '[^	 -~]' "$2"/*.gp "$2"/*.dat; then
		fail "$1" "a control character: $(LC_ALL=C grep -m1 '[^	 -~]' "$2"/*.gp | head -n 1)"
	elif [ "$want" = 0 ] && [ "$(ls "$2"/*.png "$2"/*.svg | wc -l)" -ne $(($(ls "$2"/*.gp | wc -l) * 2)) ]; then
		fail "$1" "an image is missing: $(ls "$2" | tr '\n' ' ')"
	elif [ -n "${3:-}" ] && ! grep -q "title 'x??touch $TMP/pwned-nl?' . ' (3 characters shown as ?: newline, backquote)' noenhanced" "$2/baseline-timeline.gp"; then
		fail "$1" "the arm x\\n\`touch\` is not 'x??touch ...?' with its note: $(grep -m1 'pwned-nl' "$2/baseline-timeline.gp")"
	else
		return 0
	fi
	return 1
}
expect plots_hostile_report "$want" "" report --plots "$PD" "$H" &&
	gp_check plots_hostile_report "$PD" arm && ok plots_hostile_report
rm -rf "$PD"
# compare: every arm of the one experiment in one figure; exp is alone
mv "$H/exp" "$TMP/hostile-exp"
if expect plots_hostile_compare "$want" "" compare --plots "$PD" "$H"/* &&
   gp_check plots_hostile_compare "$PD" arm; then
	if grep -q "^set label 1 'p??touch /" "$PD/baseline-timeline.gp"; then
		ok plots_hostile_compare
	else
		fail plots_hostile_compare "phase name: $(grep -m1 '^set label 1' "$PD/baseline-timeline.gp")"
	fi
fi
# the experiment's name: '?'s in the title, '_'s in the file names
if expect plots_hostile_experiment "$want" "" report --plots "$TMP/pe" "$TMP/hostile-exp" &&
   gp_check plots_hostile_experiment "$TMP/pe"; then
	if grep -q "^set multiplot title 'e??touch $TMP/pwned-exp???' \. " "$TMP/pe/e__touch_"*"-timeline.gp"; then
		ok plots_hostile_experiment
	else
		fail plots_hostile_experiment "title: $(grep -h '^set multiplot title' "$TMP/pe/"*timeline.gp)"
	fi
fi

# skip_all REASON: the tests on runs of this host cannot run
skip_all() {
	skip_rest "$1"
	exit 0
}

why=$(kvm_missing)
[ -z "$why" ] || skip_all "$why"
# The A/A sets are interleaved in ABBA order (a1 a2, a2 a1, a1 a2, ...):
# run back to back, any drift of the host between the two batches
# (another job starting) would show as a difference the tool is right to
# flag; and in plain alternation a host state that alternates from run to
# run (what each run leaves behind for the next: memory to compact, huge
# pages to find) would line up with the sets. In CI once, a1 a2 a1 a2
# made 3 of 5 primaries differ by more than the 5% floor.
mkdir -p "$TMP/aa/a1" "$TMP/aa/a2"
i=1
while [ "$i" -le "$REPS" ]; do
	order="a1 a2"
	[ $((i % 2)) -eq 0 ] && order="a2 a1"
	for set in $order; do
		"$KVMSQUEEZE" run baseline --out "$TMP/one" >"$TMP/run.log" 2>&1 ||
			skip_all "kvmsqueeze run baseline failed: $(tail -n 1 "$TMP/run.log")"
		mv "$TMP/one/rep-1.json" "$TMP/aa/$set/rep-$i.json"
	done
	i=$((i + 1))
done
"$KVMSQUEEZE" run idle-caches --reps 2 --duration 1 --out "$TMP/idle" >"$TMP/run.log" 2>&1 ||
	skip_all "kvmsqueeze run idle-caches failed: $(tail -n 1 "$TMP/run.log")"
A1=$TMP/aa/a1 A2=$TMP/aa/a2

# Copies with one thing changed, as other runs: edit_copy EDIT SRC DST
# (tests/tools/edit_result.py --set: planted, mmu, incomplete; any other
# EDIT only renames the runs).
edit_copy() {
	python3 tests/tools/edit_result.py --set "$@"
}
# The planted effect goes into a copy of both A/A sets together: the
# difference in medians is a coarse statistic, more so on percentiles that
# are histogram bucket midpoints (many ties), and Holm over ~15 metrics
# asks for p < 0.0035: 10 and 10 runs reach it only most of the time.
mkdir -p "$TMP/base"
i=1
for f in "$A1"/rep-*.json "$A2"/rep-*.json; do
	cp "$f" "$TMP/base/rep-$i.json"
	i=$((i + 1))
done
edit_copy planted "$TMP/base" "$TMP/planted"
edit_copy mmu "$A1" "$TMP/mmu"
edit_copy incomplete "$A1" "$TMP/incomplete"

# report: the table, and n/a said where a metric is null.
if expect report_text 0 "" report "$A1" && email_text report_text "$TMP/out"; then
	if grep -q '^fault p50 (us) *'"$REPS"' ' "$TMP/out"; then
		ok report_text
	else
		fail report_text "no fault p50 row with $REPS runs: $(grep 'fault p50' "$TMP/out")"
	fi
fi
if holds idle_cache_null "$A1/rep-1.json"; then
	if tr '\n' ' ' <"$TMP/out" | tr -s ' ' |
	   grep -q 'n/a in every run (null in the results, not 0), not shown:.*idle cache/vCPU'; then
		ok report_na
	else
		fail report_na "idle cache/vCPU is null but not reported n/a"
	fi
else
	skip report_na "this kernel reports idle cache pages"
fi

# A/A: two sets of the same experiment; no primary differs.
AA_PRIMARY=fault_p50_ns,fault_p99_ns,touch_pages_per_s,memcg_peak_bytes,run_s
if expect aa_not_significant 0 "" compare --format json --primary "$AA_PRIMARY" "$A1" "$A2"; then
	report_value aa_summary "$TMP/out"
	if report_check aa_not_significant aa_not_significant "$TMP/out"; then
		ok aa_not_significant
	else
		# what differed, for whoever reads the log: the primaries' rows
		"$KVMSQUEEZE" compare --primary "$AA_PRIMARY" "$A1" "$A2" 2>&1 |
			sed -n '/^primary:/,/^exploratory/p' | sed 's/^/# /'
	fi
fi

# Planted effect: +30% fault latency must be flagged at p50.
if expect planted_effect 0 "" compare --format json --primary fault_p50_ns,fault_p99_ns \
	"$TMP/base" "$TMP/planted" &&
   report_check planted_effect starred "$TMP/out" fault_p50_ns; then
	"$KVMSQUEEZE" compare --primary fault_p50_ns,fault_p99_ns "$TMP/base" "$TMP/planted" \
		>"$TMP/out" 2>&1
	if grep -Eq '^fault p50 \(us\) .*\(\*\+30\.0%\*\)' "$TMP/out"; then
		ok planted_effect
	else
		fail planted_effect "text lacks (*+30.0%*) on fault p50: $(grep 'fault p50' "$TMP/out")"
	fi
fi

# Four arms with long names: still 72 columns.
for arm in legacy-6.12-zap-oldest cache-shrinker-with-vcpu-mutex no-shrinker-as-in-6.13; do
	edit_copy "$arm" "$A1" "$TMP/$arm"
done
expect text_4_arms 0 "" compare "$A1" "$TMP/legacy-6.12-zap-oldest" \
	"$TMP/cache-shrinker-with-vcpu-mutex" "$TMP/no-shrinker-as-in-6.13" &&
	email_text text_4_arms "$TMP/out" && ok text_4_arms

# Refusals, and --force.
expect refuse_experiment 1 "spec.name differs: \"baseline\" in $A1/rep-1.json, \"idle-caches\" in $TMP/idle/rep-1.json" \
	compare "$A1" "$TMP/idle" && ok refuse_experiment
expect force_overrides 0 "compared anyway" compare --force "$A1" "$TMP/idle" &&
	grep -q 'FORCED' "$TMP/out" && ok force_overrides
expect refuse_mmu 1 "host.mmu differs: .* in $TMP/mmu/rep-2.json" compare "$A1" "$TMP/mmu" &&
	ok refuse_mmu
expect incomplete_skipped 0 "skipping $TMP/incomplete/rep-2.json: incomplete result" \
	report "$TMP/incomplete" && grep -q "^incomplete: $((REPS - 1)) runs" "$TMP/out" &&
	ok incomplete_skipped

# Noise floors from the A/A sets.
expect noise_floors 0 "" compare --noise "$TMP/aa" "$TMP/base" "$TMP/planted" &&
	tr '\n' ' ' <"$TMP/out" | grep -q "Floors: measured from the A/A sets in $TMP/aa" &&
	ok noise_floors

# Machines: CSV with a line per metric and arm, JSON that parses.
expect csv 0 "" compare --format csv "$A1" "$A2" &&
	report_check csv csv_two_sets "$TMP/out" && ok csv
expect json 0 "" report --format json "$A1" "$TMP/idle" &&
	report_check json tables "$TMP/out" 2 && ok json

# The same seed gives the same output.
"$KVMSQUEEZE" compare "$A1" "$A2" >"$TMP/s1" 2>&1
"$KVMSQUEEZE" compare "$A1" "$A2" >"$TMP/s2" 2>&1
"$KVMSQUEEZE" compare --seed 2 "$A1" "$A2" >"$TMP/s3" 2>&1
if cmp -s "$TMP/s1" "$TMP/s2"; then ok seed_reproducible; else fail seed_reproducible "outputs differ"; fi

# Plots: images, and scripts that rerun as they are.
if ! command -v gnuplot >/dev/null 2>&1; then
	scripts/deps analysis >/dev/null 2>&1 || true
fi
if ! command -v gnuplot >/dev/null 2>&1; then
	skip plots "gnuplot is missing and could not be installed (scripts/deps analysis)"
elif expect plots 0 "" compare --plots "$TMP/plots" "$TMP/base" "$TMP/planted" &&
     expect plots 0 "" report --plots "$TMP/rplots" "$TMP/idle"; then
	bad=
	for stem in baseline-timeline baseline-fault baseline-reclaim idle-caches-timeline idle-caches-reclaim; do
		dir=$TMP/plots
		case $stem in idle*) dir=$TMP/rplots ;; esac
		for ext in png svg gp dat; do
			[ -s "$dir/$stem.$ext" ] || bad="$bad $stem.$ext"
		done
		rm -f "$dir/$stem.png" "$dir/$stem.svg"
		(cd "$dir" && gnuplot "$stem.gp") >"$TMP/gp.log" 2>&1 || bad="$bad $stem.gp:$(head -n 1 "$TMP/gp.log")"
		[ -s "$dir/$stem.png" ] && [ -s "$dir/$stem.svg" ] || bad="$bad rerun:$stem"
	done
	if [ -z "$bad" ]; then ok plots; else fail plots "missing or failing:$bad"; fi
fi

# The reproducer as reported: host.arm "x\n`touch .../PWNED`" ended the
# comment it was written into, and gnuplot ran the next line's backquotes.
if ! command -v gnuplot >/dev/null 2>&1; then
	skip plots_reproducer "gnuplot is missing"
elif ! "$KVMSQUEEZE" run baseline --scale 0.25 --out "$TMP/x/a" >"$TMP/run.log" 2>&1; then
	fail plots_reproducer "kvmsqueeze run baseline --scale 0.25 failed: $(tail -n 1 "$TMP/run.log")"
else
	python3 tests/tools/edit_result.py arm_command "$TMP/x/a/rep-1.json" - "$TMP/PWNED"
	"$KVMSQUEEZE" report --plots "$TMP/x/p" "$TMP/x/a" >"$TMP/out" 2>"$TMP/err"
	if [ -e "$TMP/PWNED" ]; then
		fail plots_reproducer "gnuplot ran the command in host.arm"
	elif expect plots_reproducer 0 "" report --plots "$TMP/x/p" "$TMP/x/a"; then
		ok plots_reproducer
	fi
fi

# --label names the sets in operand order; too many names, or two sets of
# one experiment under one name, are refused.
if expect label_names_sets 0 "" compare --label old --label new "$FX/a" "$FX/b"; then
	if grep -q '^old: 5 runs' "$TMP/out" && grep -q '^new: 5 runs' "$TMP/out" &&
	   tr '\n' ' ' <"$TMP/out" | grep -q 'against old\. ' && ! grep -q '^a: ' "$TMP/out"; then
		ok label_names_sets
	else
		fail label_names_sets "$(grep -E '^(old|new|a|b):' "$TMP/out" | tr '\n' ' ')"
	fi
fi
if expect label_only_first 0 "" report --label first "$FX/a" "$FX/b"; then
	if grep -q '^== fixture, first ==$' "$TMP/out" && grep -q '^== fixture, b ==$' "$TMP/out"; then
		ok label_only_first
	else
		fail label_only_first "$(grep '^==' "$TMP/out" | tr '\n' ' ')"
	fi
fi
expect label_too_many 1 "^kvmsqueeze: compare: --label: 3 names for 2 sets" \
	compare --label x --label y --label z "$FX/a" "$FX/b" && ok label_too_many
expect label_clash 1 "^kvmsqueeze: compare: --label: two sets of experiment .* are named b$" \
	compare --label b "$FX/a" "$FX/b" && ok label_clash
expect label_help 0 "" compare --help && grep -q -- '--label NAME' "$TMP/out" && ok label_help

# report says why a value is n/a, under the table: the source (the
# fixtures' shrink_trace) and, with no source to blame, what the result
# shows (no mmu_cache_pages statistic on this kernel).
if expect report_na_reasons 0 "" report "$FX/a"; then
	tr '\n' ' ' <"$TMP/out" | sed 's/  */ /g' >"$TMP/flat"
	if grep -q "idle cache/vCPU (n/a\[[0-9]\])" "$TMP/flat" &&
	   grep -q "n/a\[[0-9]\]: KVM has no mmu_cache_pages statistic upstream" "$TMP/flat" &&
	   grep -q "n/a\[[0-9]\]: source 'shrink_trace' unavailable: tracefs is not mounted" "$TMP/flat"; then
		ok report_na_reasons
	else
		fail report_na_reasons "$(grep 'n/a' "$TMP/out" | head -n 5 | tr '\n' ' ')"
	fi
fi

# One of a thing is singular: "1 vCPU", "1 run".
if expect singular_run 0 "" report "$FX/a/rep-1.json" && grep -q '^a: 1 run, ' "$TMP/out"; then
	ok singular_run
else
	fail singular_run "$(grep '^a: ' "$TMP/out")"
fi
if expect singular_vcpu 0 "" vm --guest touch --mem 32M --vcpus 1 &&
   grep -q '^guest touch: 1 vCPU, ' "$TMP/out"; then
	ok singular_vcpu
else
	fail singular_vcpu "$(head -n 1 "$TMP/out")"
fi

# Plots fit for slides: powers of ten as 10 with a superscript (enhanced
# text, every name from a result noenhanced), one number format for the
# counts, no panel drawn empty.
if [ ! -s "$TMP/plots/baseline-fault.gp" ] || [ ! -s "$TMP/rplots/idle-caches-reclaim.gp" ]; then
	skip plots_format "no plots were drawn (see the plots test)"
elif ! grep -qF "set format x '10^{%T}'" "$TMP/plots/baseline-fault.gp" ||
     grep -qF "'10^%T'" "$TMP/plots/baseline-fault.gp"; then
	fail plots_format "fault CDF: $(grep -h 'set format' "$TMP/plots/baseline-fault.gp" | tr '\n' ' ')"
elif grep -l 'n/a: not measured' "$TMP/plots/"*.gp "$TMP/rplots/"*.gp >/dev/null 2>&1; then
	fail plots_format "a panel drawn empty: $(grep -l 'n/a: not measured' "$TMP/plots/"*.gp "$TMP/rplots/"*.gp | tr '\n' ' ')"
elif grep -h ' title ' "$TMP/plots/"*.gp "$TMP/rplots/"*.gp | grep -v "^set title '[a-z]*: median" |
     grep -v noenhanced | grep -q .; then
	fail plots_format "a title without noenhanced: $(grep -h ' title ' "$TMP/plots/"*.gp | grep -v noenhanced | head -n 1)"
else
	ok plots_format
fi
