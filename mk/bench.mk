# mk/bench.mk - `make bench` (BENCH=full for the large files): smix and its
# peers in one run, table written to docs/BENCHMARKS.md (tools/bench.sh).
.PHONY: bench bench-full
bench: $(B)/smix
	$(Q)sh tools/deps.sh bench
	$(Q)bash tools/bench.sh

bench-full: $(B)/smix
	$(Q)sh tools/deps.sh bench
	$(Q)BENCH=full bash tools/bench.sh
