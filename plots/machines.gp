# Chart 6: machines side by side. Each family (per kind of path: the CPU, or a device
# backend) at each results file's best variant (largest n measured): above, normalized
# by each machine's own roof (roof fraction); below, absolute GB/s. Machines are
# labelled by CPU, host, date and file, so two runs of one machine stay apart.
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     one block per results file (header line, 5th field the machine); rows: x,
#            roof fraction, GB/s, colour, family (and backend)
#   kernels  one row per family: centre x, 0, family (the x tic labels)
#   colors   the machines' colours in block order, as "#rrggbb" words
#   out, title, nblocks, nbars, xmax, nroofbars (bars with a roof fraction)
set datafile separator "\t"
set termoption noenhanced
set style fill solid 0.85 border lc rgb "#404040"
set boxwidth 0.85
set grid ytics lc rgb "#dddddd"
set key inside top right vertical opaque box font ",9" samplen 2
set xrange [0:xmax]
# Fixed margins keep the two panels aligned whatever their labels.
set lmargin at screen 0.07
set rmargin at screen 0.98
width = 600 + 24 * nbars
width = width < 1000 ? 1000 : (width > 1600 ? 1600 : width)

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size width, 950 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size width, 950 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  set multiplot layout 2, 1 title "Machines side by side\n".title
  if (nbars == 0) {
    set label 1 "no data: no ok row with a throughput" at graph 0.5, 0.5 center
    unset key
    unset xtics
    set xrange [0:1]
    set yrange [0:1]
    plot NaN notitle
    plot NaN notitle
    unset label 1
  } else {
    set ylabel "fraction of the machine's roof"
    set yrange [0:*]
    set offsets 0, 0, graph 0.08 * nblocks + 0.05, 0
    set xtics format "" scale 0
    set bmargin 1
    if (nroofbars == 0) {
      set label 2 "no roof fractions in these results" at graph 0.5, 0.5 center
      set yrange [0:1]
      plot NaN notitle
      unset label 2
      set yrange [0:*]
    } else {
      plot kernels using 1:(NaN):xtic("") notitle, \
           for [i=0:nblocks-1] data index i using 1:2 with boxes lc rgb word(colors, i + 1) title columnheader(5)
    }
    set ylabel "throughput (GB/s)"
    set offsets 0, 0, 0, 0
    unset key
    set xtics rotate by -45 scale 0 font ",8"
    set bmargin 9
    plot kernels using 1:(NaN):xtic(3) notitle, \
         for [i=0:nblocks-1] data index i using 1:3 with boxes lc rgb word(colors, i + 1) notitle
    set bmargin
  }
  unset multiplot
  set key inside top right vertical opaque box font ",9" samplen 2
  set output
}
