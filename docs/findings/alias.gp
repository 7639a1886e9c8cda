# docs/findings/alias.gp: claim 1's worst case as a plot. Data: the TSVs
# of docs/findings/sweep.py --tsv alias (column 4 spaces, 7 SecPT % of
# RAM, 9 kernel memory % of RAM), made by docs/findings/plots.sh.
# gnuplot -e "dir='DIR'" docs/findings/alias.gp  ->  DIR/alias.png, .svg
if (!exists("dir")) dir = "."
set logscale x 2
set xrange [0.8:5000]
set yrange [0.01:200]
set logscale y 10
set xlabel "guest address spaces (16 KiB of private page tables each)"
set ylabel "% of guest RAM"
set key top left box opaque
set grid
set title "Shadow paging, 256 MiB guest: KVM's cap (1 page in 50) holds it; lift the cap and it grows"
do for [fmt in "pngcairo svg"] {
	if (fmt eq "svg") { set terminal svg size 900,560 font "sans,11"; set output dir."/alias.svg" } \
	else { set terminal pngcairo size 900,560 font "sans,10"; set output dir."/alias.png" }
	plot dir."/alias-shadow-capped.tsv" using 4:7 with linespoints lw 2 pt 7 title "shadow, KVM's cap: SecPageTables", \
	     dir."/alias-shadow-capped.tsv" using 4:9 with linespoints lw 2 pt 6 dt 2 title "shadow, KVM's cap: kernel memory", \
	     dir."/alias-shadow-uncapped.tsv" using 4:7 with linespoints lw 2 pt 5 title "shadow, cap lifted: SecPageTables", \
	     dir."/alias-shadow-uncapped.tsv" using 4:9 with linespoints lw 2 pt 4 dt 2 title "shadow, cap lifted: kernel memory", \
	     dir."/alias-tdp.tsv" using 4:7 with linespoints lw 2 pt 9 title "TDP: SecPageTables", \
	     10 with lines lc "gray" dt 3 notitle, 100 with lines lc "gray" dt 3 notitle
}
