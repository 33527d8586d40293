# perl.sh -- Debian's perl: regexes, hashes, sprintf, sort, pack.
printf 'one 1\ntwo 2\nthree 3\nfour 4\n' > kv
$RUN /usr/bin/perl -e '
my %h = (apple => 3, pear => 7, fig => 1);
print join(",", map { "$_=$h{$_}" } sort { $h{$b} <=> $h{$a} } keys %h), "\n";
my $s = "The year 1999 and 2024"; my @y = $s =~ /(\d{4})/g; print "@y\n";
(my $t = $s) =~ s/(\d+)/$1+1/ge; print "$t\n";
printf("%.5f %e %x %o %s\n", atan2(1, 1) * 4, 6.02e23, 255, 8, "x" x 3);
print unpack("H*", pack("N n C", 0xdeadbeef, 258, 7)), "\n";
my $f = 1; $f *= $_ for 1..20; print "$f\n";
print scalar(reverse("stressed")), " ", lc("MiXeD"), " ", ucfirst("perl"), "\n";
'
$RUN /usr/bin/perl -lane 'print "$F[1]:$F[0]"; END { print "lines $." }' kv
$RUN /usr/bin/perl -pe 's/(\w+) (\d)/$2 $1/' kv
echo "perl gave $?"
