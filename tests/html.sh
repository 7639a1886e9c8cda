# SPDX-License-Identifier: GPL-2.0
# tests/html.sh: index.html of report --plots and compare --plots: the
# command line, the runs' provenance, the stars, why each n/a is one,
# links that resolve, nothing loaded from anywhere, names from hostile
# results inert; then in headless Chromium: the page is not blank, every
# image loads, the console stays quiet, and a hostile result's markup
# never runs. The browser checks are first shown able to fail.
# shellcheck shell=sh
. tests/lib.sh

BROWSER_TESTS="html_browser_checks_fail html_browser_screenshot html_browser_images
html_browser_console html_browser_inert"
# shellcheck disable=SC2086 # one name a word
plan_names html_compare html_report html_lab html_links html_hostile html_offline html_no_gnuplot \
	html_ab_index $BROWSER_TESTS

PY=tests/checks/html_page.py

# html_has NAME FILE REGEX WHAT: FILE has a line matching REGEX.
html_has() {
	if grep -Eq -- "$3" "$2"; then
		return 0
	fi
	fail "$1" "no $4 in $2"
	return 1
}

# Small made-up results (tests/fixtures/analysis/make-results.py): c is
# a with fault p50 +30% (starred) and its memcg source unavailable (n/a).
FX=$TMP/fx
python3 tests/fixtures/analysis/make-results.py "$FX"
# A real result of this host (series: a timeline to plot), as a base set
# and as a set whose names, kernel release and CPU model are markup.
H=$TMP/hostile
python3 - tests/fixtures/analysis/host-baseline.json "$H" <<'PY'
import json, os, sys
d0 = json.load(open(sys.argv[1]))
exp = "exp<i id=pwnexp>x</i>"
sets = {
    "base": {},
    'd"><b id=pwndir>x</b>': {
        "arm": "<b id=pwnarm>x</b><script>document.body.dataset.pwnedarm=1</script>",
        "kernel_release": '6.1"><script>document.body.dataset.pwnedrel=1</script>'
                          '<img src=x onerror="document.body.dataset.pwnedimg=1">',
        "cpu_model": "</td></tr></table><script>document.body.dataset.pwnedcpu=1</script>",
    },
}
for i, (name, host) in enumerate(sets.items()):
    d = json.loads(json.dumps(d0))
    d["run"]["id"] = "html-%d" % i
    d["run"]["experiment"] = d["spec"]["name"] = exp
    d["host"].update(host)
    os.makedirs(os.path.join(sys.argv[2], name))
    json.dump(d, open(os.path.join(sys.argv[2], name, "rep-1.json"), "w"))
PY

if command -v gnuplot >/dev/null 2>&1; then want=0; else want=1; fi
C=$TMP/compare R=$TMP/report E=$TMP/evil L=$TMP/lab
expect html_compare "$want" "" compare --plots "$C" "$FX/a" "$FX/c" &&
	html_has html_compare "$C/index.html" '^<pre>\$ kvmsqueeze compare --plots ' \
		'command line' &&
	html_has html_compare "$C/index.html" '<td class="n star">\*\+30\.0%\*</td>' \
		'starred change' &&
	html_has html_compare "$C/index.html" 'significant: a primary metric' 'star explanation' &&
	html_has html_compare "$C/index.html" \
		"n/a<span class=\"why\">source 'memcg' unavailable: " 'n/a with its reason' &&
	html_has html_compare "$C/index.html" '<td>6\.12\.0-fixture</td>' 'kernel release' &&
	html_has html_compare "$C/index.html" '^fault p50 \(us\) ' 'text table' &&
	ok html_compare
expect html_report "$want" "" report --plots "$R" "$FX/a" "$FX/b" &&
	html_has html_report "$R/index.html" '^<pre>\$ kvmsqueeze report --plots ' 'command line' &&
	html_has html_report "$R/index.html" '<h3 id="table-1">fixture: b</h3>' 'second set' &&
	html_has html_report "$R/index.html" '95% CI of the median' 'report columns' &&
	ok html_report
# The lab's kernels: host.arm, and the patch series hash ending the release
# (a result older than the arm's description: no base, no parameters).
expect html_lab "$want" "" report --plots "$L" tests/fixtures/analysis/lab-memcg-squeeze.json &&
	html_has html_lab "$L/index.html" \
		'<td>legacy</td><td>-</td><td>5ee31e63</td><td>-</td><td>shadow</td>' \
		'arm, base, series hash, parameters and MMU' &&
	ok html_lab
for d in "$C" "$R" "$L"; do
	if ! r=$(python3 "$PY" links "$d/index.html"); then
		fail html_links "$r"
		break
	fi
done && ok html_links

# Hostile names: nothing of them is markup. The page has no script of
# its own, so any <script is theirs.
expect html_hostile "$want" "" compare --plots "$E" "$H/base" "$H/d"* &&
	if grep -qi '<script\|<b id=pwn\|<i id=pwn\|<img src=x' "$E/index.html"; then
		fail html_hostile "markup from a result:" \
			"$(grep -oi '.\{20\}<script.\{20\}' "$E/index.html" | head -n 1)"
	else
		html_has html_hostile "$E/index.html" \
			'&lt;b id=pwnarm&gt;x&lt;/b&gt;&lt;script&gt;' \
			'arm shown as text' && ok html_hostile
	fi

# Offline: a policy that loads nothing, and no address to load from.
if grep -Eqi '(src|href)="?(https?:|//)|url\(|@import' "$C/index.html" "$E/index.html"; then
	fail html_offline "$(grep -Eoi '(src|href)="?(https?:|//)[^"]*|url\([^)]*' \
		"$C/index.html" "$E/index.html" | head -n 1)"
else
	html_has html_offline "$C/index.html" \
		"^<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:;" \
		'Content-Security-Policy' && ok html_offline
fi

# Without gnuplot the page is still written and says why there are no images.
mkdir -p "$TMP/nobin"
PATH=$TMP/nobin "$KVMSQUEEZE" compare --plots "$TMP/nog" "$FX/a" "$FX/c" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -ne 1 ]; then
	fail html_no_gnuplot "exit status $rc, want 1: $(tail -n 1 "$TMP/err")"
elif grep -q '<img' "$TMP/nog/index.html"; then
	fail html_no_gnuplot "an image without gnuplot"
else
	html_has html_no_gnuplot "$TMP/nog/index.html" '<p class="warn">gnuplot is not installed' \
		'reason' && html_has html_no_gnuplot "$TMP/nog/index.html" 'not drawn \(no image' \
		'plot not drawn' && ok html_no_gnuplot
fi

# make ab's AB_OUT/index.html: ab_index of patched-kernel/ab.sh (with
# settings(), which it shows) on a made-up AB_OUT: a link per experiment
# that has plots, an experiment named with markup and URL characters,
# report.txt shown as text.
A=$TMP/ab
mkdir -p "$A/plots/memcg-squeeze" "$A/plots/e<b>&\"'#%?"
cp "$C/index.html" "$A/plots/memcg-squeeze/"
cp "$C/index.html" "$A/plots/e<b>&\"'#%?/"
echo 'x <script>document.body.dataset.pwnedab=1</script>' >"$A/report.txt"
: >"$A/report.csv"
{
	sed -n '/^# What changes the runs/,/^}/p' patched-kernel/ab.sh
	sed -n '/^# html_esc:/,/^}/p' patched-kernel/ab.sh
} >"$TMP/ab-fn.sh"
# ab_run: ab_index with what it and settings() read, in a subshell
ab_run() (
	# shellcheck disable=SC2034 # what settings() and ab_index read
	sets="legacy inverted" exps="/x/memcg-squeeze.json /y/e<b>&\"'#%?.json /z/none.json" \
		mmu=shadow reps=3 seed=1 clock=icount lab_mem=512
	# shellcheck source=/dev/null # made above from patched-kernel/ab.sh
	. "$TMP/ab-fn.sh"
	ab_index "$A"
)
if ! grep -q '^ab_index()' "$TMP/ab-fn.sh" || ! grep -q '^settings()' "$TMP/ab-fn.sh"; then
	fail html_ab_index "ab_index() or settings() not found in patched-kernel/ab.sh"
elif ! ab_run >"$A/index.html" 2>"$TMP/err"; then
	fail html_ab_index "ab_index failed: $(tail -n 1 "$TMP/err")"
elif ! r=$(python3 "$PY" links "$A/index.html" 4); then
	fail html_ab_index "$r"
elif grep -qi '<script\|<b>' "$A/index.html"; then
	fail html_ab_index "markup from a name or report.txt: $(grep -i '<script\|<b>' "$A/index.html" | head -n 1)"
else
	html_has html_ab_index "$A/index.html" '^clock icount$' 'settings' &&
		html_has html_ab_index "$A/index.html" '^x &lt;script&gt;' 'report.txt' && ok html_ab_index
fi

# --- in a browser ---
if ! command -v chromium >/dev/null 2>&1; then
	skip_rest "chromium is not installed (scripts/deps test)"
	exit 0
fi
if [ "$want" != 0 ]; then
	skip_rest "gnuplot is not installed: no plots to show (scripts/deps analysis)"
	exit 0
fi

# chrome OUTPUT_PREFIX PAGE ARGS...: headless Chromium on PAGE, stdout
# and stderr (its log, with the page's console) to PREFIX.out and .err.
chrome() {
	o=$1 page=$2
	shift 2
	timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--no-first-run --user-data-dir="$TMP/chrome-profile" \
		--enable-logging=stderr --v=0 --virtual-time-budget=5000 "$@" \
		"file://$page" >"$o.out" 2>"$o.err"
}

# console PREFIX: the page's console messages (messages, errors, uncaught).
console() {
	grep -E 'CONSOLE|Uncaught' "$1.err"
}

# imgcheck PAGE PREFIX: a probe copy of PAGE in the browser; its DOM in PREFIX.out.
imgcheck() {
	python3 "$PY" probe "$1" "${1%.html}-probe.html" &&
		chrome "$2" "${1%.html}-probe.html" --dump-dom &&
		grep -o '<p id="imgcheck">[^<]*' "$2.out" | sed 's/.*>//'
}

# First the checks on a page that fails them: a blank page, a broken
# image and a console error; each check must say so.
page_head='<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Security-Policy" content="x">
</head><body>'
printf '%s</body></html>\n' "$page_head" >"$TMP/blank.html"
printf '%s<img src="data:image/png;base64,AAAA">%s</body></html>\n' "$page_head" \
	'<script>console.error("broken")</script>' >"$TMP/broken.html"
if ! chrome "$TMP/blank" "$TMP/blank.html" --window-size=800,600 \
	--screenshot="$TMP/blank.png"; then
	fail html_browser_checks_fail "chromium failed: $(tail -n 1 "$TMP/blank.err")"
elif python3 "$PY" colours "$TMP/blank.png" 50 >/dev/null; then
	fail html_browser_checks_fail "a blank page passes the colour check"
elif [ "$(imgcheck "$TMP/broken.html" "$TMP/broken")" != "images 1 broken 1" ]; then
	fail html_browser_checks_fail "a broken image is not seen: $(imgcheck "$TMP/broken.html" "$TMP/broken")"
elif ! chrome "$TMP/broken" "$TMP/broken.html" --dump-dom || ! console "$TMP/broken" >/dev/null; then
	fail html_browser_checks_fail "a console error is not seen: $(tail -n 2 "$TMP/broken.err")"
else
	ok html_browser_checks_fail
fi

# The compare page as it is: drawn, not blank, and a quiet console.
if ! chrome "$TMP/shot" "$C/index.html" --window-size=1200,2400 --screenshot="$TMP/shot.png"; then
	fail html_browser_screenshot "chromium failed: $(tail -n 1 "$TMP/shot.err")"
elif r=$(python3 "$PY" colours "$TMP/shot.png" 50); then
	ok html_browser_screenshot
else
	fail html_browser_screenshot "$r"
fi

bad=
for d in "$C" "$R" "$L" "$E"; do
	n=$(find "$d" -name '*.gp' | wc -l)
	got=$(imgcheck "$d/index.html" "$TMP/probe")
	[ "$n" -gt 0 ] && [ "$got" = "images $n broken 0" ] || bad="$bad $d: $got of $n plots;"
done
if [ -z "$bad" ]; then ok html_browser_images; else fail html_browser_images "$bad"; fi

bad=
for d in "$C" "$R" "$L" "$E" "$A"; do
	chrome "$TMP/con" "$d/index.html" --dump-dom
	if console "$TMP/con" >/dev/null; then
		bad="$bad $d: $(console "$TMP/con" | head -n 1)"
	fi
done
if [ -z "$bad" ]; then ok html_browser_console; else fail html_browser_console "$bad"; fi

# The hostile page without its policy (the probe copy): no element and no
# script of theirs came to life, and their names show as text.
imgcheck "$E/index.html" "$TMP/evil" >/dev/null
if grep -Eq 'data-pwned|id="pwn' "$TMP/evil.out"; then
	fail html_browser_inert "markup from a result ran: $(grep -Eo '.{0,30}(data-pwned|id="pwn).{0,30}' "$TMP/evil.out" | head -n 1)"
elif ! grep -q '<p id="imgcheck">' "$TMP/evil.out"; then
	fail html_browser_inert "the page did not load: $(tail -n 1 "$TMP/evil.err")"
elif ! grep -q '&lt;b id=pwnarm&gt;x&lt;/b&gt;' "$TMP/evil.out"; then
	fail html_browser_inert "the hostile arm is not shown as text"
else
	ok html_browser_inert
fi
