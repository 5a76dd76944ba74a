# mk/bench.mk - `make bench` (BENCH=full for the large files): smix and its
# peers in one run, table written to docs/BENCHMARKS.md (tools/bench.sh);
# then the scaling table, docs/BENCHMARKS.scale.md (tools/bench_scale.sh:
# the default level on 1 to 100 MB, -T1 and -T2, beside xz -9e; about an
# hour on two cores; `make bench-scale` runs it alone, SIZES="1 3 10" a
# shorter one).
.PHONY: bench bench-full bench-scale
bench: $(B)/smix
	$(Q)sh tools/deps.sh bench
	$(Q)bash tools/bench.sh
	$(Q)bash tools/bench_scale.sh

bench-full: $(B)/smix
	$(Q)sh tools/deps.sh bench
	$(Q)BENCH=full bash tools/bench.sh
	$(Q)bash tools/bench_scale.sh

bench-scale: $(B)/smix
	$(Q)bash tools/bench_scale.sh
