# Chart 2: throughput vs working-set size for one family, one line per path, with the
# cache sizes of the results' topology marked.
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     one block per path (blocks apart by two blank lines); each block starts with
#            a header line whose 4th field is the path; rows: bytes moved per call, GB/s
#            (the path's best variant at that size), colour
#   colors   the paths' colours in block order, as "#rrggbb" words
#   family   the kernel family
#   l1, l2, l3   cache sizes in bytes (0: unknown, not drawn)
#   xmin, xmax   the x range (bytes): the sizes and the caches
#   out, title, nblocks, npoints
set datafile separator "\t"
set termoption noenhanced
set title "Throughput vs size: ".family."\n".title
set xlabel "working set (bytes moved per call, log scale)"
set ylabel "throughput (GB/s, median over repetitions)"
set logscale x 2
set format x "%.0b%B"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical box
set yrange [0:*]
set xrange [xmin:xmax]
set style line 100 lc rgb "#888888" dt 3 lw 1
cache(name, bytes) = sprintf("%s %.0f KiB", name, bytes / 1024.0)
if (l1 > 0) { set arrow 1 from l1, graph 0 to l1, graph 1 nohead ls 100; set label 11 cache("L1d", l1) at l1, graph 0.97 rotate by 90 right offset -0.8, 0 font ",8" }
if (l2 > 0) { set arrow 2 from l2, graph 0 to l2, graph 1 nohead ls 100; set label 12 cache("L2", l2) at l2, graph 0.97 rotate by 90 right offset -0.8, 0 font ",8" }
if (l3 > 0) { set arrow 3 from l3, graph 0 to l3, graph 1 nohead ls 100; set label 13 cache("L3", l3) at l3, graph 0.97 rotate by 90 right offset -0.8, 0 font ",8" }

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1100, 650 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size 1100, 650 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (npoints == 0) {
    set label 1 "no data: no ok row with a size and a throughput" at graph 0.5, 0.5 center
    unset key
    unset xtics
    set yrange [0:1]
    plot NaN notitle
  } else {
    plot for [i=0:nblocks-1] data index i using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb word(colors, i + 1) title columnheader(4)
  }
  set output
}
