# Chart 3: compute roofline of the dot products. Every dot variant a labelled point
# (largest n measured): arithmetic intensity (FLOP per byte moved) against achieved
# GFLOP/s, under only the roofs that bound those points: the bandwidth roof each was
# divided by (its size class and thread count, slanted: GB/s x intensity) and the
# compute peaks measured at the same thread counts (flat). Casts and quantizers have no
# flops; their bandwidth is in the per-family throughput charts.
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     one block per path (header line, 4th field the path); rows: intensity,
#            GFLOP/s, colour, kernel, point label ("f32_dot avx2_u64")
#   roofs    one block per roof (header line, 3rd field its label): two rows x, y
#   colors   the paths' colours in block order, as "#rrggbb" words
#   out, title, nblocks, npoints, nroofs, xmin, xmax
set datafile separator "\t"
set termoption noenhanced
set title "Compute roofline: dot products (measured roofs of the same sizes and thread counts)\n".title
set xlabel "arithmetic intensity (FLOP / byte moved, log scale)"
set ylabel "achieved GFLOP/s (log scale)"
set logscale xy 10
set grid xtics ytics mxtics mytics lc rgb "#eeeeee", lc rgb "#f6f6f6"
set key below left vertical maxcols 2 font ",9"
set xrange [xmin:xmax]
set offsets 0, 0, graph 0.1, 0

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1000, 820 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size 1000, 820 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (npoints == 0 && nroofs == 0) {
    set label 1 "no data: no ok dot-product row, and no measured roof" at graph 0.5, 0.5 center
    unset key
    unset xtics
    set yrange [0.01:100]
    plot NaN notitle
  } else {
    if (npoints == 0) {
      set label 1 "no ok dot-product row: roofs only" at graph 0.5, 0.5 center
      plot for [i=0:nroofs-1] roofs index i using 1:2 with lines lw 2 dashtype i + 2 lc rgb "#555555" title columnheader(3)
    } else {
      if (nroofs == 0) {
        set label 2 "no measured roofs in the results" at graph 0.02, graph 0.96 left
        plot for [i=0:nblocks-1] data index i using 1:2 with points pt 7 ps 1.3 lc rgb word(colors, i + 1) title columnheader(4), \
             for [i=0:nblocks-1] data index i using 1:2:5 with labels left offset 0.8, 0.3 font ",7" tc rgb "#303030" notitle
      } else {
        plot for [i=0:nroofs-1] roofs index i using 1:2 with lines lw 2 dashtype i + 2 lc rgb "#555555" title columnheader(3), \
             for [i=0:nblocks-1] data index i using 1:2 with points pt 7 ps 1.3 lc rgb word(colors, i + 1) title columnheader(4), \
             for [i=0:nblocks-1] data index i using 1:2:5 with labels left offset 0.8, 0.3 font ",7" tc rgb "#303030" notitle
      }
    }
  }
  set output
}
