# Chart: throughput vs thread count for one family (CPU rows), one line per (size
# class, path) through the path's best variant, and per size class the roof the rows
# were held to at each thread count (the all-core roof at the right end), dashed.
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     one block per (size class, path), blocks apart by two blank lines; each
#            starts with a header line whose 4th field is "<path> <size class>"; rows:
#            threads, GB/s, colour
#   roofs    one block per size class; header's 3rd field "roof <size class>"; rows:
#            threads, GB/s of the roof
#   colors   the data blocks' colours, as "#rrggbb" words
#   dashes   the data blocks' dash types (one per size class), as words
#   rdashes  the roof blocks' dash types, as words
#   family, out, title, nblocks, nroofs, tmax (the largest thread count)
set datafile separator "\t"
set termoption noenhanced
set title "Thread scaling: ".family."\n".title
set xlabel "threads"
set ylabel "throughput (GB/s, median over repetitions)"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical box
set yrange [0:*]
set xrange [0.5:tmax + 0.5]
if (tmax <= 16) { set xtics 1 } else { set logscale x 2; set xrange [0.8:tmax * 1.25] }

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1100, 650 font "DejaVu Sans,10" noenhanced dashed
  } else {
    set terminal svg size 1100, 650 font "DejaVu Sans,10" noenhanced background "white" dashed
  }
  set output out . "." . fmt
  if (nblocks == 0) {
    set label 1 "no data: no CPU row at two thread counts" at graph 0.5, 0.5 center
    unset key
    set yrange [0:1]
    plot NaN notitle
  } else {
    if (nroofs > 0) {
      plot for [i=0:nblocks-1] data index i using 1:2 with linespoints pt 7 ps 0.8 lw 2 \
             dt int(word(dashes, i + 1)) lc rgb word(colors, i + 1) title columnheader(4), \
           for [i=0:nroofs-1] roofs index i using 1:2 with linespoints pt 4 ps 0.8 lw 1.5 \
             dt int(word(rdashes, i + 1)) lc rgb "#555555" title columnheader(3)
    } else {
      plot for [i=0:nblocks-1] data index i using 1:2 with linespoints pt 7 ps 0.8 lw 2 \
             dt int(word(dashes, i + 1)) lc rgb word(colors, i + 1) title columnheader(4)
    }
  }
  set output
}
