# scripts/local.mk — the front command and the launchers (included by Makefile.am).
bin_SCRIPTS = scripts/provtrace
CLEANFILES += scripts/provtrace
EXTRA_DIST += scripts/provtrace.in scripts/install-deps.sh

# Substituted at make time, so that `make prefix=...` and `make install DESTDIR=...` hold.
scripts/provtrace: $(srcdir)/scripts/provtrace.in Makefile
	$(AM_V_GEN)mkdir -p scripts && sed -e 's|@bindir[@]|$(bindir)|g' \
	    -e 's|@libdir[@]|$(libdir)|g' -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g' $(srcdir)/scripts/provtrace.in > $@.tmp && \
	    chmod +x $@.tmp && mv $@.tmp $@
