# words.pl -- the perl benchmark: statistics over N generated words
# (string building, hashes, a regex, sort, sprintf).
#   perl words.pl N
use strict;
use warnings;
my $n = shift // 100000;
my ($x, %count, %len) = (42);
for my $i (1 .. $n) {
    $x = ($x * 69069 + 1) % 4294967296;
    my $w = join '', map { chr(97 + ($x >> (5 * $_)) % 26) } 0 .. (2 + $x % 5);
    $count{$w}++;
    $len{length $w} += 1 if $w =~ /^[a-m]+[aeiou]/;
}
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 9];
printf "%d words, %d distinct\n", $n, scalar keys %count;
print join(' ', map { "$_=$count{$_}" } @top), "\n";
print join(' ', map { "$_:$len{$_}" } sort { $a <=> $b } keys %len), "\n";
