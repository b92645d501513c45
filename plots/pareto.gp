# Chart: error vs storage, from `qbench error --data FILE --json` (qbench plot FILE.json).
# One point per format: bits per element with its scales and zero points, and the SQNR
# weighted over the file's tensors; the Pareto front (no format has fewer bits and more
# SQNR) joined and labelled, no two labels overlapping.
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     index 0: every format (bits, sqnr_db, front 0/1, format), a header line;
#            index 1: the front alone, in order of bits
#            index 2: the front's labels (bits, sqnr_db, label_bits, label_sqnr_db,
#            formats), one per point, placed by qbench left of their points and a
#            line apart; a grey leader joins each to its point
#   npoints  the number of formats
#   out, title
set datafile separator "\t"
set termoption noenhanced
set title "SQNR vs bits per element, one point per format\n".title
set xlabel "bits per element (scales and zero points included)"
set ylabel "SQNR (dB), weighted over the tensors"
set grid lc rgb "#dddddd"
set key bottom right
set offsets graph 0.05, graph 0.12, graph 0.08, graph 0.05

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1000, 650 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size 1000, 650 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (npoints == 0) {
    set label 1 "no data: no format with a finite SQNR" at graph 0.5, 0.5 center
    plot NaN notitle
  } else {
    plot data index 0 using 1:2 skip 1 with points pt 7 ps 1.1 lc rgb "#9aa5b1" title "format", \
         data index 1 using 1:2 skip 1 with linespoints lw 2 pt 7 ps 1.4 lc rgb "#d62728" \
              title "Pareto front", \
         data index 2 using 1:2:($3-$1):($4-$2) skip 1 with vectors nohead lw 0.6 lc rgb "#b0b0b0" notitle, \
         data index 2 using 3:4:5 skip 1 with labels right offset -0.3, 0 font ",9" notitle
  }
  set output
}
