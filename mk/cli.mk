# mk/cli.mk - the smix command-line tool (build/smix and build/smix-portable
# are built by the main Makefile from cli/*.c).
#
#   make test-cli     tests/test_cli.sh and tests/test_sweep.sh (both also
#                     run by `make test` through tests/run_all.sh)

.PHONY: test-cli

test-cli: $(B)/smix $(B)/smix-portable
	$(Q)bash tests/run_all.sh cli sweep
