# The soak's curves (tests/soak/soak.js): gnuplot -e "data='soak.csv'; out='soak.png'" soak.gnuplot
set datafile separator ','
set terminal pngcairo size 1100,800 font 'sans,10'
set output out
set multiplot layout 3,1 title 'otsync soak: otsd and the warehouse, sampled every minute'
set key autotitle columnhead left top
set grid
set xlabel 'minutes'
set ylabel 'MiB'
plot data using 1:($2/1024) with linespoints title 'otsd resident memory', \
     data using 1:($5/1024) with linespoints title 'otsd data directory', \
     data using 1:($10/1024) with lines title 'otsd table files (.sst)', \
     data using 1:($11/1024) with lines title 'otsd write-ahead logs', \
     data using 1:($6/1024) with linespoints title 'warehouse'
set ylabel 'count'
set yrange [0:*]
plot data using 1:3 with linespoints title 'otsd open files', \
     data using 1:4 with linespoints title 'otsd threads'
set ylabel 'writes'
set y2label 'windows, errors'
set y2tics
set y2range [0:*]
plot data using 1:7 with lines title 'writes acknowledged', \
     data using 1:8 axes x1y2 with lines title 'windows exported', \
     data using 1:9 axes x1y2 with linespoints title 'errors'
unset multiplot
