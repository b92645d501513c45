# Chart 7: regression view of `qbench compare BASE NEW`. Each row's time-equivalent
# change (positive: slower) and the +-threshold band; colour is the verdict (red:
# regression, light red: slower but weak, green: faster, grey: within noise).
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data       header line, then rows: x, change %, colour, verdict, row name
#   base, new  the two results files
#   threshold  the band's half-width in percent
#   out, title, nbars
set datafile separator "\t"
set termoption noenhanced
set title sprintf("Change per row, %s -> %s (band: +-%g%% threshold)\n", base, new, threshold).title
set ylabel "time change (%, + is slower)"
set style fill solid 0.85 border lc rgb "#404040"
set boxwidth 0.8
set grid ytics lc rgb "#dddddd"
set xtics rotate by -45 scale 0 font ",8" nomirror
set key off
set bmargin 24
set object 1 rect from graph 0, first -threshold to graph 1, first threshold behind fc rgb "#e8e8e8" fs solid 1.0 noborder
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb "#404040"
width = 600 + 26 * nbars
width = width < 1000 ? 1000 : (width > 2800 ? 2800 : width)

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size width, 900 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size width, 900 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (nbars == 0) {
    set label 1 "no data: no row timed in both files" at graph 0.5, 0.5 center
    unset key
    unset xtics
    set xrange [0:1]
    set yrange [-2 * threshold - 1:2 * threshold + 1]
    plot NaN notitle
  } else {
    set xrange [0:nbars + 1]
    set yrange [*<(-2 * threshold):(2 * threshold)<*]
    plot data using 1:2:3:xtic(5) skip 1 with boxes lc rgb variable notitle, \
         data using 1:2:(sprintf("%+.1f%%", $2)) skip 1 with labels offset 0, 0.7 font ",8" notitle
  }
  set output
}
