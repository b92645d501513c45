# Chart 3: roofline. Every kernel a point (largest n measured): operational intensity
# (operations per byte moved) against achieved GOP/s, under the measured roofs:
# bandwidth roofs as slanted lines (GB/s x intensity), compute roofs as flat lines.
# Operations are flops where the family has them, else one per element (casts, quant).
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     one block per path (header line, 4th field the path); rows: intensity,
#            GOP/s, colour, kernel
#   roofs    one block per roof (header line, 3rd field its label): two rows x, y
#   colors   the paths' colours in block order, as "#rrggbb" words
#   out, title, nblocks, npoints, nroofs, xmin, xmax
set datafile separator "\t"
set termoption noenhanced
set title "Roofline (measured roofs)\n".title
set xlabel "operational intensity (operations / byte, log scale)"
set ylabel "achieved GOP/s (flops; casts and quantizers: elements) (log scale)"
set logscale xy 10
set grid xtics ytics mxtics mytics lc rgb "#eeeeee", lc rgb "#f6f6f6"
set key outside right top vertical box
set xrange [xmin:xmax]
set offsets 0, 0, graph 0.1, 0

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1100, 700 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size 1100, 700 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (npoints == 0 && nroofs == 0) {
    set label 1 "no data: no ok row with a rate, and no measured roof" at graph 0.5, 0.5 center
    unset key
    unset xtics
    set yrange [0.01:100]
    plot NaN notitle
  } else {
    if (npoints == 0) {
      set label 1 "no ok row with a rate: roofs only" at graph 0.5, 0.5 center
      plot for [i=0:nroofs-1] roofs index i using 1:2 with lines lw 2 dashtype i + 2 lc rgb "#555555" title columnheader(3)
    } else {
      if (nroofs == 0) {
        set label 2 "no measured roofs in the results" at graph 0.02, graph 0.96 left
        plot for [i=0:nblocks-1] data index i using 1:2 with points pt 7 ps 1.3 lc rgb word(colors, i + 1) title columnheader(4)
      } else {
        plot for [i=0:nroofs-1] roofs index i using 1:2 with lines lw 2 dashtype i + 2 lc rgb "#555555" title columnheader(3), \
             for [i=0:nblocks-1] data index i using 1:2 with points pt 7 ps 1.3 lc rgb word(colors, i + 1) title columnheader(4)
      }
    }
  }
  set output
}
