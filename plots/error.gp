# Chart 4: numerical error. SQNR (dB; from NMSE where SQNR is absent) per dtype and
# quantization scheme, one bar per input distribution (or tensor, for the rows of
# `qbench run --data`); higher is better. The scalar path's figure stands for a scheme
# when it was measured.
#
# Variables (gnuplot -e, set by `qbench plot`):
#   data     one block per distribution (header line, 4th field the distribution);
#            rows: x, SQNR dB, colour, scheme
#   schemes  one row per scheme: centre x, 0, scheme (the x tic labels)
#   colors   the distributions' colours in block order, as "#rrggbb" words
#   out, title, nblocks, nbars, xmax
set datafile separator "\t"
set termoption noenhanced
set title "Numerical error by dtype, scheme and input (distribution, or tensor of run --data)\n".title
set ylabel "SQNR (dB, higher is better)"
set xlabel "format: casts f32 -> X, quantizers quantize then dequantize (the round trip); dequantize rows left out (their error is the arithmetic alone)"
set style fill solid 0.85 border lc rgb "#404040"
set boxwidth 0.85
set grid ytics lc rgb "#dddddd"
set xtics rotate by -35 scale 0 font ",9" nomirror
set key outside right top vertical box title "input"
set yrange [0:*]
set xrange [0:xmax]
set bmargin 10
width = 500 + 30 * nbars
width = width < 1000 ? 1000 : (width > 2800 ? 2800 : width)

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size width, 650 font "DejaVu Sans,10" noenhanced
  } else {
    set terminal svg size width, 650 font "DejaVu Sans,10" noenhanced background "white"
  }
  set output out . "." . fmt
  if (nbars == 0) {
    set label 1 "no data: no ok row with an error figure" at graph 0.5, 0.5 center
    unset key
    unset xtics
    set xrange [0:1]
    set yrange [0:1]
    plot NaN notitle
  } else {
    plot schemes using 1:(NaN):xtic(3) notitle, \
         for [i=0:nblocks-1] data index i using 1:2 with boxes lc rgb word(colors, i + 1) title columnheader(4), \
         for [i=0:nblocks-1] data index i using 1:2:(sprintf("%.1f", $2)) with labels offset 0, 0.6 font ",7" notitle
  }
  set output
}
