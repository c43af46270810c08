# Developer tasks. The README's two commands use `make setup` and `make test`.
R ?= R
RSCRIPT ?= Rscript
CC ?= gcc
WARN = -std=c11 -O2 -Wall -Wextra -pedantic -Werror
RCPPFLAGS := $(shell $(R) CMD config --cppflags)
# the BLAS for the C tests: OpenBLAS through pkg-config, else R's
BLAS_TEST := $(shell pkg-config --exists openblas 2>/dev/null && echo "-DTL_HAVE_OPENBLAS $$(pkg-config --cflags --libs openblas)" || $(R) CMD config BLAS_LIBS)
CORE_SRC = src/core/*.c src/core/ops/*.c src/core/autograd/*.c

.PHONY: setup install deps test test-r test-c warnings sanitize document demo check clean

# Everything a fresh Debian machine needs, then the package, then the demo.
setup: deps install demo

deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (dpkg -s libopenblas-dev >/dev/null 2>&1 || \
	   (apt-get update -qq && apt-get install -y -qq libopenblas-dev pkg-config >/dev/null)) || \
	  echo "note: could not install OpenBLAS; falling back to R's BLAS"; \
	fi
	$(RSCRIPT) tools/install-deps.R

install:
	$(R) CMD INSTALL .

demo:
	$(RSCRIPT) -e 'torchlite::torchlite_example("rosenbrock")'

# The whole test suite: C core tests, a -Wall -Wextra build of every C file, testthat.
test: test-c warnings test-r

test-r: install
	$(RSCRIPT) tools/run-tests.R

test-c:
	@mkdir -p build
	$(CC) $(WARN) -fopenmp -Isrc/core tests/c/test_core.c $(CORE_SRC) $(BLAS_TEST) -lm -o build/test_core
	./build/test_core
	$(CC) $(WARN) -fopenmp -Isrc/core tests/c/test_autograd.c $(CORE_SRC) $(BLAS_TEST) -lm -o build/test_autograd
	./build/test_autograd
	$(CC) -std=c11 -O2 -Wall -Wextra -pedantic -Isrc/core tests/c/test_random.c src/core/random.c -lm -o build/test_random
	./build/test_random

# Every C file compiled with warnings as errors (the package build uses R's flags).
warnings:
	@mkdir -p build
	@for f in $(CORE_SRC); do \
	  $(CC) $(WARN) -fopenmp -c $$f -o build/w.o || exit 1; done
	@for f in src/r/*.c; do \
	  $(CC) -std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -fopenmp $(RCPPFLAGS) -c $$f -o build/w.o || exit 1; done
	@echo "warnings: all C files compile cleanly with -Wall -Wextra"

sanitize:
	@mkdir -p build
	for t in test_core test_autograd; do \
	  $(CC) -std=c11 -g -O1 -fopenmp -fsanitize=address,undefined -fno-omit-frame-pointer -DTL_NO_POOL -Isrc/core \
	    tests/c/$$t.c $(CORE_SRC) $(BLAS_TEST) -lm -o build/$$t-san || exit 1; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./build/$$t-san || exit 1; \
	done

document:
	$(RSCRIPT) -e 'roxygen2::roxygenise(roclets = c("rd", "namespace"), load_code = "source")'

# R CMD check --as-cran on a tarball built from the working tree, in CHECK_DIR (outside the
# tree). Offline-safe: no CRAN/Bioconductor look-ups (_R_CHECK_CRAN_INCOMING_REMOTE_) and no
# time server (_R_CHECK_SYSTEM_CLOCK_), as long as every suggested package is installed
# (--as-cran looks a missing one up in CRAN's database); the PDF manual uses Times/Courier
# (R_RD4PDF) instead of Inconsolata, which only Debian's 1.4 GB texlive-fonts-extra has;
# without pdflatex the manual is skipped. Prints "R CMD check: Status: ..." and fails on any
# ERROR or WARNING.
CHECK_DIR ?= $(or $(TMPDIR),/tmp)/torchlite-check
CHECK_ENV = _R_CHECK_FORCE_SUGGESTS_=false _R_CHECK_CRAN_INCOMING_REMOTE_=false \
  _R_CHECK_SYSTEM_CLOCK_=false R_RD4PDF="times,hyper"
check:
	@rm -rf "$(CHECK_DIR)" && mkdir -p "$(CHECK_DIR)"
	cd "$(CHECK_DIR)" && $(R) CMD build "$(CURDIR)"
	@start=$$(date +%s); cd "$(CHECK_DIR)" && \
	  $(CHECK_ENV) $(R) CMD check --as-cran $$(command -v pdflatex >/dev/null || echo --no-manual) \
	    torchlite_*.tar.gz; \
	  st=$$(grep -E '^Status:' torchlite.Rcheck/00check.log | tail -n 1); \
	  echo "R CMD check: $${st:-Status: did not finish} ($$(( $$(date +%s) - start )) s; log in $(CHECK_DIR)/torchlite.Rcheck)"; \
	  case "$$st" in *ERROR*|*WARNING*|"") exit 1;; esac

# The testthat suite under valgrind's memcheck: invalid reads and writes, uses of
# uninitialised memory, and definite leaks (tools/valgrind.supp lists the suppressions).
# Fails when valgrind reports an error; test failures are only shown (valgrind's floating-point
# emulation is not bit-exact, so a few bit-exact float32 expectations fail under it).
# Slow: about 13 minutes for the whole suite; run a subset with VALGRIND_FILTER=<regexp of
# test file names>, e.g. VALGRIND_FILTER='bad-input|callbacks'. `valgrind-run` tests the
# package as installed (R_LIBS is respected). Log: build/valgrind.log.
VALGRIND_FILTER ?=
VALGRIND_OPTS = --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
  --suppressions=$(CURDIR)/tools/valgrind.supp --log-file=$(CURDIR)/build/valgrind.log
.PHONY: valgrind valgrind-run
# the package is installed without the core's small-block pool (TL_NO_POOL), so that
# valgrind sees every block; `make install` puts the normal build back
valgrind:
	TL_EXTRA_CPPFLAGS=-DTL_NO_POOL $(R) CMD INSTALL --preclean .
	$(MAKE) valgrind-run

valgrind-run:
	@mkdir -p build
	@command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
	@start=$$(date +%s); \
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 VALGRIND_FILTER='$(VALGRIND_FILTER)' \
	  $(R) -d "valgrind $(VALGRIND_OPTS)" --vanilla --slave -f tools/valgrind-tests.R; \
	st=$$?; \
	echo "valgrind: $$(grep -h 'ERROR SUMMARY' build/valgrind.log | tail -n 1 | sed 's/^==[0-9]*== //')"; \
	echo "valgrind: $$(grep -h 'definitely lost:' build/valgrind.log | tail -n 1 | sed 's/^==[0-9]*== *//') ($$(( $$(date +%s) - start )) s)"; \
	exit $$st

clean:
	rm -rf build torchlite_*.tar.gz torchlite.Rcheck
	./cleanup

# The benchmark against PyTorch (bench/README.md): timings, ratios, physical limits, memory.
.PHONY: bench
bench:
	$(RSCRIPT) bench/run.R
