# Chart 1 (one per family): throughput of each variant as a horizontal bar, grouped by
# path, with the roof each bar was divided by marked across it (the roof of its size
# class and thread count; the legend names both).
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     one block per path (blocks apart by two blank lines); each block starts with
#            a header line whose 4th field is the path; rows: y, GB/s, colour, variant,
#            value label ("9.1 GB/s, 93 % of roof"), roof fraction
#   roofs    one block per roof (header line, 3rd field its label: name, size class,
#            thread count); rows: the roof's GB/s, the y of a bar measured against it
#   colors   the paths' colours in block order, as "#rrggbb" words
#   family   the kernel family
#   out      output file name without extension (.png and .svg are written)
#   title    the machine (CPU model and devices), date and qbench version
#   nblocks, nbars, nroofs, xmax (the largest bar or roof, GB/s)
set datafile separator "\t"
set termoption noenhanced
set title "Throughput: ".family." (largest n measured; the roof each bar is divided by, dashed)\n".title
set xlabel "throughput (GB/s, median over repetitions)"
set style fill solid 0.85 border lc rgb "#404040"
set grid xtics lc rgb "#dddddd"
set ytics scale 0 font ",9" nomirror
set xtics nomirror
set key below left vertical maxcols 2 font ",9" spacing 1.1
set yrange [0.4:nbars + 0.6]
set xrange [0:xmax * 1.35]
height = 190 + 28 * nbars + 18 * ceil((nroofs + nblocks) / 2.0)
height = height < 300 ? 300 : height

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1000, height font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size 1000, height font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (nbars == 0) {
    set label 1 "no data: no ok row with a throughput" at graph 0.5, 0.5 center
    unset key
    unset ytics
    set xrange [0:1]
    set yrange [0:1]
    plot NaN notitle
  } else {
    if (nroofs > 0) {
      plot for [i=0:nblocks-1] data index i using (0.5 * $2):1:(0.5 * $2):(0.38):ytic(4) with boxxyerror lc rgb word(colors, i + 1) title columnheader(4), \
           for [i=0:nroofs-1] roofs index i using 1:($2 - 0.46):(0):(0.92) with vectors nohead lw 2.5 dashtype i + 2 lc rgb "#202020" title columnheader(3), \
           for [i=0:nblocks-1] data index i using 2:1:5 with labels left offset 0.6, 0 font ",8" notitle
    } else {
      plot for [i=0:nblocks-1] data index i using (0.5 * $2):1:(0.5 * $2):(0.38):ytic(4) with boxxyerror lc rgb word(colors, i + 1) title columnheader(4), \
           for [i=0:nblocks-1] data index i using 2:1:5 with labels left offset 0.6, 0 font ",8" notitle
    }
  }
  set output
}
