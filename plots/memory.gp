# Chart 5: memory. Storage of one tensor per dtype and scheme (block metadata
# included), labelled with its ratio to f32.
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     header line, then rows: x, MiB, colour, dtype and scheme, ratio label
#   tensor   the tensor's element count
#   out, title, nbars
set datafile separator "\t"
set termoption noenhanced
set title sprintf("Memory of a tensor of %.0f elements, by dtype and scheme\n", tensor).title
set ylabel "storage (MiB)"
set xlabel "dtype and scheme (label: ratio to f32)"
set style fill solid 0.85 border lc rgb "#404040"
set boxwidth 0.7
set grid ytics lc rgb "#dddddd"
set xtics scale 0 rotate by -30 nomirror
set yrange [0:*]
set key off
set bmargin 7

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1000, 600 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size 1000, 600 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (nbars == 0) {
    set label 1 "no data: no row with memory figures" at graph 0.5, 0.5 center
    unset key
    unset xtics
    set xrange [0:1]
    set yrange [0:1]
    plot NaN notitle
  } else {
    set xrange [0.3:nbars + 0.7]
    plot data using 1:2:3:xtic(4) skip 1 with boxes lc rgb variable notitle, \
         data using 1:2:5 skip 1 with labels offset 0, 0.8 notitle
  }
  set output
}
