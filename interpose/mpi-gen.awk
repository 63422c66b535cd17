# mpi-gen.awk — writes the same-shape MPI wrapper bodies (w_Name) from mpi.def; the build
# runs it (awk -f mpi-gen.awk mpi.def > mpi-bodies.h) and mpi.c includes the output.
#
# An entry PT_MPI(Name, (parameters), (arguments), HOW), on one line or more, where HOW is
#   HAND             w_Name is written by hand in mpi.c (it needs code of its own);
#   COUNT(expr)      forward the call; when it succeeds, evaluate expr, which may use the
#                    parameters and t0 (the call's start in trace mode, 0 otherwise);
#   COUNT_ST(expr)   the same, and a status parameter `st` the program gave as
#                    MPI_STATUS_IGNORE points to a local one first (expr reads it).
# Every generated body is the shape the hand-written ones share: a call made while the
# module is off (before MPI_Init, after MPI_Finalize) or nested in a wrapped call passes
# straight through; otherwise the guard ptm_in is set around the call.
# Portable awk (POSIX, mawk): no gawk extensions.

function fail(msg) {
	printf "mpi-gen.awk: %s:%d: %s\n", FILENAME, start, msg > "/dev/stderr"
	err = 1
	exit 1
}

# The balanced parenthesised group of s that begins at position i (s's i-th character is
# "("), without its outer parentheses; sets `after` to the position that follows it.
function group(s, i,    d, j, c) {
	if (substr(s, i, 1) != "(")
		fail("'(' expected at: " substr(s, i, 40))
	d = 0
	for (j = i; j <= length(s); j++) {
		c = substr(s, j, 1)
		if (c == "(")
			d++
		else if (c == ")" && --d == 0) {
			after = j + 1
			return substr(s, i + 1, j - i - 1)
		}
	}
	fail("unbalanced parentheses")
}

function skip_sep(s, i) {
	while (substr(s, i, 1) ~ /[ \t,]/)
		i++
	return i
}

function uses(expr, word) {
	return (" " expr " ") ~ ("[^A-Za-z0-9_]" word "[^A-Za-z0-9_]")
}

function emit(name, params, args, how, expr,    st, t0, p) {
	st = (how == "COUNT_ST")
	t0 = uses(expr, "t0")
	if (st && !uses(args, "st"))
		fail(name ": COUNT_ST without a parameter named st")
	p = (params == "void") ? "" : ", " params
	printf "\n/* MPI_%s, PMPI_%s */\n", name, name
	printf "static inline int w_%s(ptm_fn_%s fn%s)\n{\n", name, name, p
	if (st)
		printf "\tMPI_Status local;\n"
	if (t0)
		printf "\tuint64_t t0;\n"
	printf "\tint r;\n\n"
	printf "\tif (pt_unlikely(ptm_in || !ptm.on))\n\t\treturn fn(%s);\n", args
	if (st)
		printf "\tif (st == MPI_STATUS_IGNORE)\n\t\tst = &local;\n"
	if (t0)
		printf "\tt0 = trace_t0();\n"
	printf "\tptm_in = 1;\n\tr = fn(%s);\n\tptm_in = 0;\n", args
	printf "\tif (pt_likely(r == MPI_SUCCESS))\n\t\t%s;\n", expr
	printf "\treturn r;\n}\n"
	generated++
}

function entry(s,    i, name, params, args, how, expr) {
	i = index(s, "(")
	s = substr(s, i + 1)
	i = index(s, ",")
	if (!i)
		fail("no name")
	name = substr(s, 1, i - 1)
	gsub(/[ \t]/, "", name)
	if (name !~ /^[A-Z][A-Za-z_]*$/)
		fail("bad name '" name "'")
	i = skip_sep(s, i)
	params = group(s, i)
	args = group(s, skip_sep(s, after))
	i = skip_sep(s, after)
	how = substr(s, i)
	sub(/\)[ \t]*$/, "", how)         # the closing parenthesis of PT_MPI( ... )
	if (how ~ /^HAND[ \t]*$/) {
		hand++
		return
	}
	if (how !~ /^COUNT(_ST)?\(/)
		fail(name ": HAND, COUNT(expr) or COUNT_ST(expr) expected, not '" how "'")
	expr = group(how, index(how, "("))
	how = substr(how, 1, index(how, "(") - 1)
	if (expr ~ /^[ \t]*$/)
		fail(name ": empty expression")
	emit(name, params, args, how, expr)
}

# the depth of parentheses a line leaves open
function depth(s,    t, o, c) {
	t = s
	o = gsub(/\(/, "", t)
	t = s
	c = gsub(/\)/, "", t)
	return o - c
}

BEGIN {
	print "/* mpi-bodies.h — generated from mpi.def by mpi-gen.awk at build time: do not edit."
	print " * The MPI wrapper bodies of the COUNT and COUNT_ST shapes; mpi.c includes it after"
	print " * the helpers they call and before the entry points. */"
}

pending != "" {
	pending = pending " " $0
	open_ += depth($0)
	if (open_ <= 0) {
		entry(pending)
		pending = ""
	}
	next
}

/^PT_MPI\(/ {
	start = FNR
	open_ = depth($0)
	if (open_ <= 0)
		entry($0)
	else
		pending = $0
}

END {
	if (err)
		exit 1
	if (pending != "") {
		start = FNR
		fail("unterminated entry")
	}
	printf "\n/* %d bodies generated, %d written by hand in mpi.c */\n", generated, hand
}
