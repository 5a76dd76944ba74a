# mk/core.mk - the test tiers, the demo, sanitizers, install.
#
#   make check        under a minute: unit tests + quick CLI round trips
#   make test         everything CI runs (.ci/run): deps, build all +
#                     portable, unit, tests/test_*.sh, sanitize, fuzz
#                     (FUZZ_SECONDS each), valgrind memcheck of a round trip
#   make check-long   stress: a 200 MB input at -1 with --memlimit 2G
#   make demo         compress + verify + trace a sample, show the report
#   make sanitize     ASan+UBSan build in build/san/, unit + round trips
#   make install      PREFIX (default /usr/local), DESTDIR, BINDIR, MANDIR
#   make uninstall / clean

DEMO_FILE   ?= samples/prose.txt
# A level with the state space model, so the trace shows every model part
# (the default level is n-grams only; see engine/levels.c).
DEMO_LEVEL  ?= 5
PROGRAMS    := smix smix-tui smix-view
MAN_PAGES    = $(wildcard $(PROGRAMS:%=docs/%.1))
VALGRIND    ?= valgrind
# valgrind runs a level with the state space model
MEMCHECK_LEVEL ?= 5
# Parallel build inside `make test` unless the caller already chose -j.
TEST_J       = $(if $(findstring j,$(filter-out --%,$(MAKEFLAGS))),,-j2)

.PHONY: test-suites memcheck demo-run sanitize-build

# ---------------------------------------------------------------- tiers

check: $(B)/smix
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)bash tests/roundtrip.sh $(B)/smix quick

# Each step runs even if an earlier one failed, so one run shows every
# problem; the summary line and exit status say whether all passed.
test:
	$(Q)sh tools/deps.sh
	$(Q)$(MAKE) --no-print-directory $(TEST_J) all portable fuzz-drivers
	$(Q)failed=; \
	for step in unit test-suites sanitize fuzz memcheck; do \
	  echo "==== make $$step"; \
	  $(MAKE) --no-print-directory $$step || failed="$$failed $$step"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: all steps passed"

test-suites:
	$(Q)bash tests/run_all.sh

memcheck: $(B)/smix
	$(Q)command -v $(VALGRIND) >/dev/null 2>&1 || \
	  { echo "memcheck: valgrind not found (make deps installs it)" >&2; exit 1; }
	$(Q)head -c 2500 samples/page.html > $(B)/memcheck.in
	$(Q)vg="$(VALGRIND) -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"; \
	$$vg $(B)/smix -q -$(MEMCHECK_LEVEL) -T1 -c $(B)/memcheck.in > $(B)/memcheck.smx && \
	$$vg $(B)/smix -q -d -T1 -c $(B)/memcheck.smx | cmp - $(B)/memcheck.in && \
	echo "memcheck: valgrind clean on a level $(MEMCHECK_LEVEL) round trip of 2.5 KB of samples/page.html"

check-long: all portable
	$(Q)SMIX_LONG=1 bash tests/test_stress.sh

# ---------------------------------------------------------------- demo

demo:
	$(Q)sh tools/deps.sh
	$(Q)$(MAKE) --no-print-directory $(TEST_J) all
	$(Q)$(MAKE) --no-print-directory demo-run

demo-run:
	@echo "== Compressing $(DEMO_FILE) ($$(wc -c < $(DEMO_FILE)) bytes) at level $(DEMO_LEVEL), recording a trace"
	$(B)/smix -$(DEMO_LEVEL) -f -o $(B)/demo.smx --trace $(B)/demo.smt $(DEMO_FILE)
	$(B)/smix -l $(B)/demo.smx
	@echo "== Checking the round trip"
	$(B)/smix -d -c $(B)/demo.smx | cmp - $(DEMO_FILE)
	@echo "round trip OK: $(B)/demo.smx decodes to exactly $(DEMO_FILE)"
	@echo "== Trace report"
	$(B)/smix --trace-report $(B)/demo.smt
	@echo
	@echo "Explore the trace:"
	@echo "  $(B)/smix-tui $(B)/demo.smt      # in the terminal"
	@echo "  $(B)/smix-view $(B)/demo.smt     # in a window (SDL2)"

# ---------------------------------------------------------------- sanitize

# float-cast-overflow: GCC leaves it out of "undefined" (a NaN or a huge
# value turned into an index is how a hostile trace crashed the viewers).
SAN_FL       := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,float-cast-overflow \
                -fno-sanitize-recover=undefined,float-cast-overflow
SAN_OBJ      := $(ENGINE_SRC:%.c=$(B)/san/obj/%.o)
SAN_CLI_OBJ  := $(CLI_SRC:%.c=$(B)/san/obj/%.o)
SAN_UNIT     := $(UNIT_SRC:tests/unit/%.c=$(B)/san/tests/%)
FUZZ_TARGETS ?= decode roundtrip trace view tok
SAN_DRIVERS  := $(FUZZ_TARGETS:%=$(B)/san/fuzz_%)
SAN_ENV      := ASAN_OPTIONS=exitcode=86 \
                UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87

$(B)/san/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC(san) $<")
	$(Q)$(CC) $(BASEFL) $(SAN_FL) -c $< -o $@

$(B)/san/libsmix.a: $(SAN_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/san/smix: $(SAN_CLI_OBJ) $(B)/san/libsmix.a
	@$(if $(Q),echo "  LD(san) $@")
	$(Q)$(CC) $(SAN_FL) $(LDFLAGS) -o $@ $(SAN_CLI_OBJ) $(B)/san/libsmix.a $(LDLIBS)

$(B)/san/tests/%: tests/unit/%.c $(B)/san/libsmix.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC(san) $<")
	$(Q)$(CC) $(BASEFL) $(SAN_FL) -o $@ $< $(B)/san/libsmix.a $(LDLIBS)

$(B)/san/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/regression_driver.c $(B)/san/libsmix.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BASEFL) $(SAN_FL) -o $@ $< tests/fuzz/regression_driver.c $(B)/san/libsmix.a $(LDLIBS)

sanitize-build: $(B)/san/smix $(SAN_UNIT) $(SAN_DRIVERS)

sanitize:
	$(Q)$(MAKE) --no-print-directory $(TEST_J) sanitize-build
	$(Q)set -e; export $(SAN_ENV); \
	for t in $(SAN_UNIT); do echo "== $$t"; ./$$t; done; \
	bash tests/roundtrip.sh $(B)/san/smix full; \
	SMIX=$(B)/san/smix bash tests/test_golden.sh; \
	for t in $(FUZZ_TARGETS); do \
	  ./$(B)/san/fuzz_$$t tests/fuzz/regressions/$$t; done; \
	./$(B)/san/fuzz_tok samples; ./$(B)/san/fuzz_roundtrip samples; \
	./$(B)/san/fuzz_decode tests/golden/decode tests/golden/errors; \
	echo "sanitize: ASan+UBSan clean"

-include $(wildcard $(B)/san/obj/*/*.d $(B)/san/tests/*.d)

# ---------------------------------------------------------------- install

install: all
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	$(Q)for p in $(PROGRAMS); do \
	  if [ -f $(B)/$$p ]; then install -m 755 $(B)/$$p $(DESTDIR)$(BINDIR)/$$p && \
	    echo "  INSTALL $(DESTDIR)$(BINDIR)/$$p"; \
	  else echo "install: $(B)/$$p was not built; skipped" >&2; fi; \
	done
	$(Q)for m in $(MAN_PAGES); do \
	  install -m 644 $$m $(DESTDIR)$(MANDIR)/ && echo "  INSTALL $(DESTDIR)$(MANDIR)/$${m##*/}"; \
	done

uninstall:
	$(Q)for p in $(PROGRAMS); do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	$(Q)for p in $(PROGRAMS); do rm -f $(DESTDIR)$(MANDIR)/$$p.1; done

clean:
	rm -rf $(B)
