# Chart 1: throughput of every kernel, bars grouped by path, each path's roof drawn.
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     one block per path (blocks apart by two blank lines); each block starts with
#            a header line whose 4th field is the path; rows: x, GB/s, colour, kernel
#   paths    one row per path: centre x, roof GB/s (NaN: none), first x, last x, colour, path
#   colors   the paths' colours in block order, as "#rrggbb" words
#   out      output file name without extension (.png and .svg are written)
#   title    the machine (CPU model and devices), date and qbench version
#   nblocks, nbars, xmax, nroofs (paths with a roof)
set datafile separator "\t"
set termoption noenhanced
set title "Throughput by kernel, grouped by path (largest n measured)\n".title
set ylabel "throughput (GB/s, median over repetitions)"
set xlabel "kernel"
set style fill solid 0.85 border lc rgb "#404040"
set boxwidth 0.8
set grid ytics lc rgb "#dddddd"
set xtics rotate by -45 scale 0 font ",8" nomirror
set ytics nomirror
set key outside right top vertical box
set yrange [0:*]
set xrange [0:xmax + 1]
# Headroom above the tallest bar or roof for the path labels.
set offsets 0, 0, graph 0.12, 0
set bmargin 11
width = 500 + 28 * nbars
width = width < 1000 ? 1000 : (width > 2800 ? 2800 : width)

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size width, 720 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size width, 720 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (nbars == 0) {
    set label 1 "no data: no ok row with a throughput" at graph 0.5, 0.5 center
    unset key
    unset xtics
    set xrange [0:1]
    set yrange [0:1]
    plot NaN notitle
  } else {
    if (nroofs > 0) {
      plot for [i=0:nblocks-1] data index i using 1:2:xtic(4) with boxes lc rgb word(colors, i + 1) title columnheader(4), \
           paths using 3:2:($4 - $3):(0):5 with vectors nohead lw 2.5 dt 2 lc rgb variable title "each path's roof (GB/s)", \
           paths using 1:2:6 with labels offset 0, 0.8 font ",9" notitle
    } else {
      # No path has a bandwidth roof (e.g. plain Google Benchmark results).
      plot for [i=0:nblocks-1] data index i using 1:2:xtic(4) with boxes lc rgb word(colors, i + 1) title columnheader(4)
    }
  }
  set output
}
