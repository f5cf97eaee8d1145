# devsurv - one Makefile, no configure step. `make help` lists the targets.
#
#   make              release build (-O2, jemalloc) into build/
#   make WERROR=1     warnings are errors
#   make DEBUG=1 ...  ASan+UBSan, libc malloc, into build/debug/
#
# Objects for engine/ and nlp/ go into libdevsurv.a; engine/devsurv.c is main.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
FUZZCC  ?= clang

ifeq ($(DEBUG),1)
BUILD   := build/debug
OPT     := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
MALLOC  :=
else
BUILD   := build/release
OPT     := -O2 -g
MALLOC  := -ljemalloc
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wformat=2 -Wpointer-arith -Wundef
ifeq ($(WERROR),1)
WARN    += -Werror
endif

PKGS    := libzmq sqlite3 jansson libpcre2-8 libsodium libcrypto libmicrohttpd
# Evaluated on first use, not at parse time, so `make deps all` works on a
# machine where deps is what installs pkg-config and the libraries.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)

CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -DDS_VERSION='"$(VERSION)"' \
            -DDS_RULES_DIR='"$(PREFIX)/share/devsurv/rules"'
CFLAGS  += -std=c11 $(OPT) $(WARN) $(PKG_CFLAGS) -MMD -MP
LDLIBS  += $(PKG_LIBS) $(MALLOC) -lm

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

LIB_SRC := $(filter-out engine/devsurv.c,$(wildcard engine/*.c nlp/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libdevsurv.a
BIN     := $(BUILD)/devsurv
# contrib/<tool>.c is a tool's main; contrib/<tool>-<part>.c are linked in
CONTRIB_PART := $(wildcard contrib/*-*-*.c)
CONTRIB_SRC := $(filter-out $(CONTRIB_PART),$(wildcard contrib/*.c))
CONTRIB := $(CONTRIB_SRC:contrib/%.c=$(BUILD)/%)
TEST_SRC := $(wildcard tests/engine/*.c tests/nlp/*.c)
TESTS   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECS ?= 60

DEPS_APT := build-essential pkg-config libzmq3-dev libsqlite3-dev sqlite3 \
            libjansson-dev libjemalloc-dev libpcre2-dev libsodium-dev libssl-dev \
            clang libclang-rt-14-dev clang-format cppcheck \
            libmicrohttpd-dev curl chromium chromium-driver python3

.PHONY: all deps test demo install clean lint fuzz help bench eval
.DEFAULT_GOAL := all

all: $(LIB) $(BIN) $(CONTRIB) ## build libdevsurv.a, devsurv and contrib tools

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(BUILD)/engine/devsurv.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

.SECONDEXPANSION:
$(CONTRIB): $(BUILD)/%: $(BUILD)/contrib/%.o \
		$$(addprefix $(BUILD)/,$$(subst .c,.o,$$(wildcard contrib/$$*-*.c))) \
		$(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(TESTS): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# Fuzz targets also build as plain programs that replay their saved corpus
# (tests/fuzz/corpus/<name>/) inside `make test`.
$(FUZZ_REPLAY): $(BUILD)/tests/fuzz/%: $(BUILD)/tests/fuzz/%.o \
		$(BUILD)/tests/fuzz/standalone.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/fuzz/standalone.o: tests/fuzz/standalone.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

deps: ## install every Debian package build, tests and demo need (idempotent)
	@missing=$$(for p in $(DEPS_APT); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then \
	    echo "deps: all $(words $(DEPS_APT)) packages already installed"; \
	else \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    echo "deps: installing $$missing"; \
	    $$SUDO apt-get update && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y \
	        --no-install-recommends $(DEPS_APT); \
	fi

test: all $(TESTS) $(FUZZ_REPLAY) ## build and run every unit, fuzz-corpus and integration test
	@BUILD=$(BUILD) tests/run.sh $(TESTS) $(FUZZ_REPLAY) tests/integration/*.sh

demo: all ## run the engine on a temp SQLite db with the demo stream
	@BUILD=$(BUILD) contrib/demo.sh

bench: all ## measure throughput per stage next to raw library baselines
	@BUILD=$(BUILD) tests/bench/run.sh

eval: all ## accuracy on the shipped external data (NegEx, MAUDE)
	@set -e; for s in tests/eval/*.sh; do BUILD=$(BUILD) $$s; done

fuzz: $(FUZZ_BIN) ## run each libFuzzer target for FUZZ_SECS seconds (default 60)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); \
	    mkdir -p build/fuzz/corpus/$$n; \
	    echo "fuzz: $$n for $(FUZZ_SECS)s"; \
	    $$f -max_total_time=$(FUZZ_SECS) -print_final_stats=1 \
	        build/fuzz/corpus/$$n tests/fuzz/corpus/$$n; done

build/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) -std=c11 -g -O1 $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRC) $(PKG_LIBS) -lm

install: all ## install devsurv and contrib tools under $(DESTDIR)$(PREFIX)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/include/devsurv $(DESTDIR)$(PREFIX)/share/devsurv
	install -m 0755 $(BIN) $(CONTRIB) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 include/devsurv/*.h $(DESTDIR)$(PREFIX)/include/devsurv/
	install -m 0644 contrib/devsurv.conf.example $(DESTDIR)$(PREFIX)/share/devsurv/
	cd rules && find . -name '*.tsv' -o -name '*.plan' -o -name VERSION \
	    | while read -r f; do install -D -m 0644 "$$f" \
	    "$(DESTDIR)$(PREFIX)/share/devsurv/rules/$$f"; done
	cd contrib/dashboard && for f in index.html *.js *.css; do \
	    install -D -m 0644 "$$f" \
	    "$(DESTDIR)$(PREFIX)/share/devsurv/dashboard/$$f"; done

lint: ## clang-format check and cppcheck
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --std=c11 --inline-suppr -Iinclude engine nlp contrib tests

clean: ## remove build outputs
	rm -rf build tests/out

help: ## list targets
	@grep -hE '^[a-z]+:.*## ' Makefile \
	    | sed -E 's/^([a-z]+):.*## (.*)/  \1\t\2/' | expand -t 12

-include $(shell find build -name '*.d' 2>/dev/null)
