#!/bin/sh
# stdio3.sh — the rest of the FILE surface: streams with no file under them count nothing
# and close nothing; popen's stream is a pipe and its child is traced; dprintf counts on
# its descriptor; the unlocked and fortified entry points count as the plain ones; a
# stream open for update that reads to the end of the file and then writes has a read
# phase and a write phase; and phases whose every byte was counted end without an lseek.
# The same program plain and fortified (-O2 -D_FORTIFY_SOURCE=2) must give one record.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
size() { wc -c <"$1" | tr -d ' '; }
F='rbytes,rops,wbytes,wops'

nm -D "$PROG/stdio3-fortify" >"$T/nm" 2>/dev/null || skip "nm not available"
for s in __fread_unlocked_chk __fgets_unlocked_chk __dprintf_chk __vdprintf_chk \
	__fwprintf_chk __uflow __overflow; do
	grep -q " U $s\$\|$s@" "$T/nm" ||
		skip "stdio3-fortify does not call $s (CFLAGS without optimisation?)"
done

for prog in stdio3 stdio3-fortify; do
	rm -rf "$D"/*
	head -c 10 /dev/zero | tr '\0' 'i' >"$D/in"
	head -c 3000 /dev/zero | tr '\0' 'p' >"$D/pin"
	{ head -c 40 /dev/zero | tr '\0' 'u'; printf '\ntail\n'; } >"$D/fu"
	head -c 1000 /dev/zero | tr '\0' 'r' >"$D/rpu"
	printf '1 2 3\n40 50\n600\n' >"$D/rpf"
	printf '\316\261\316\262\316\263\n\316\264\n' >"$D/apw"
	head -c 500 /dev/zero | tr '\0' 'g' >"$D/rpg"
	head -c 100 /dev/zero | tr '\0' 'm' >"$D/mix"
	printf 'abcdefg' >"$D/items"
	printf 'ab\000cd' >"$D/nul"
	head -c 100 /dev/zero | tr '\0' 'd' >"$D/fdw"
	head -c 300 /dev/zero | tr '\0' 'l' >"$D/fla"
	head -c 100 /dev/zero | tr '\0' 'v' >"$D/vbuf"
	apw0=$(size "$D/apw")

	ptrun "$prog" "$PROG/$prog" "$D" <"$D/in"
	assert_eq 0 "$rc" "$prog: exit status ($(cat "$T/$prog.err"))"
	# memory streams: none of their bytes on the standard input (whose descriptor
	# number open_memstream's stream holds by chance), none of their closes either
	assert_eq "ADOPT 5 1 0 0" "$(ev sess "$D/in" -f via,$F)" "$prog: the standard input"
	# popen: a pipe each way, the shell's cat traced reading or writing the file
	P=$(ev procs exe="$PROG/$prog" -f proc)
	assert_eq "ADOPT 3000 0
ADOPT 0 2000" "$(ev sess 'pipe:*' proc="$P" -f via,rbytes,wbytes)" "$prog: popen's pipes"
	C=$(ev sess "$D/pin" -f proc)
	assert_eq "/usr/bin/cat 3000" "$(ev procs proc="$C" -f exe) $(ev sess "$D/pin" -f rbytes)" \
		"$prog: popen's cat reading pin"
	C=$(ev sess "$D/pout" wbytes!=0 -f proc)
	assert_eq "/usr/bin/cat 2000" "$(ev procs proc="$C" -f exe) $(ev sess "$D/pout" wbytes!=0 -f wbytes)" \
		"$prog: popen's cat writing pout (the shell opened it)"
	assert_eq "0 0 50 2" "$(ev sess "$D/dp" -f $F)" "$prog: dprintf, vdprintf ($F)"
	assert_eq "41 2 0 0" "$(ev sess "$D/fu" -f $F)" "$prog: fread_unlocked, fgets_unlocked ($F)"
	# read to the end, then written with no call between
	assert_eq "1000 1 200 1" "$(ev sess "$D/rpu" -f $F)" \
		"$prog: \"r+\" getc_unlocked to the end, then putc_unlocked ($F)"
	assert_eq "16 1 4 1" "$(ev sess "$D/rpf" -f $F)" \
		"$prog: \"r+\" fscanf to the end, then fputs ($F)"
	assert_eq "$apw0 1 6 1" "$(ev sess "$D/apw" -f $F)" \
		"$prog: \"a+\" fgetws to the end, then fwprintf ($F)"
	assert_eq "500 1 100 1" "$(ev sess "$D/rpg" -f $F)" \
		"$prog: \"r+\" function forms of getc_unlocked, putc_unlocked ($F)"
	assert_eq $((apw0 + 6)) "$(size "$D/apw")" "$prog: apw's size"
	assert_eq 1200 "$(size "$D/rpu")" "$prog: rpu's size"
	# what a wrapper cannot count by its return is settled by position
	assert_eq "25 3 0 0" "$(ev sess "$D/mix" -f $F)" "$prog: fread, getc_unlocked, fread ($F)"
	assert_eq "7 2 0 0" "$(ev sess "$D/items" -f $F)" "$prog: fread of 4-byte items on 7 ($F)"
	assert_eq "5 2 0 0" "$(ev sess "$D/nul" -f $F)" "$prog: fgets over a NUL ($F)"
	assert_eq "0 0 30 1" "$(ev sess "$D/fdw" -f $F)" "$prog: fdopen at 50, putc_unlocked ($F)"
	assert_eq "200 1 100 1" "$(ev sess "$D/fla" -f $F)" \
		"$prog: \"r+\" putc_unlocked, fflush(NULL), getc_unlocked ($F)"
	assert_eq "30 2 0 0" "$(ev sess "$D/vbuf" -f $F)" "$prog: setvbuf, fread, getc_unlocked ($F)"
	assert_eq "0 0" "$(stat_of dropped corrupt)" "$prog: dropped, corrupt"
	assert_eq 0 "$(ev times)" "$prog: sessions whose times are out of order"
done

# phases whose every byte a wrapper counted need no position: the traced program makes
# the same lseek calls as the bare one (none)
command -v strace >/dev/null || { echo "strace not found: lseek count not checked"; exit 0; }
mk_clean() {
	rm -rf "$D"/c*
	seq 1 500 >"$D/cr"
	seq 1 50 >"$D/cp"
	printf 'x\n' >"$D/ca"
}
mk_clean
strace -f -qq -e trace=lseek -o "$T/bare.st" "$PROG/stdio3" clean "$D" >/dev/null
mk_clean
ptrun clean strace -f -qq -e trace=lseek -o "$T/traced.st" "$PROG/stdio3" clean "$D"
assert_eq 0 "$rc" "clean: exit status ($(cat "$T/clean.err"))"
assert_eq "$(grep -c 'lseek(' "$T/bare.st" || true)" "$(grep -c 'lseek(' "$T/traced.st" || true)" \
	"clean phases: lseek calls bare and traced"
assert_eq "0 0 $(($(size "$D/cw")))" "$(ev sess "$D/cw" -f rbytes,rops,wbytes)" "clean: cw"
assert_eq "$(($(size "$D/cr") * 2)) 0" "$(ev sess "$D/cr" -f rbytes,wbytes | awk '{r += $1; w += $2} END {print r, w}')" \
	"clean: cr, read twice"
assert_eq "5 1" "$(ev sess "$D/ca" -f wbytes,wops)" "clean: ca"
