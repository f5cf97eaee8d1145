#!/usr/bin/env bash
# bench_e2e.sh - end-to-end throughput and latency over the real binaries
# ($BUILD/devsurv serve, $BUILD/ds-publish), for `make bench`
# (tests/bench/run.sh). Usage: bench_e2e.sh [N] (default 100000, at most
# 2000000).
#
# Generates a deterministic stream of N envelopes with awk (the shape of
# fixtures/streams/gen_demo.sh, bigger: 200-400 bytes, exposures, outcomes,
# notes and reports over 8 device codes) and N/2 notes of about 1 KB
# (gen_kb), then measures, each time on a fresh database and journal, with
# `devsurv serve -c contrib/demo.conf` (group commit at 1000 events or
# 5 ms, WAL, synchronous=FULL) on an ipc:// endpoint in a temp dir, timing
# ds-publish from start to the ACK of its last event (publisher journal,
# HELLO, framing, ingest sequencing, the pipeline, commits, ACK round
# trips, on two processes):
#   publish 320 B  the N envelopes, default configuration (plans on);
#   replay   `devsurv replay` of the same file into a fresh database:
#            process start-up, schema, reading the file, the pipeline;
#   1 KB rows, the N/2 notes, in four variants:
#     (a) ingest: plans off (--set plans.enabled=false), plaintext: the
#         issue's durable-ingest target row (>= 50,000 events/s of ~1 KB);
#     (b) (a) with CURVE on: keys from `devsurv keygen`, an allowlist with
#         the publisher's key, ingest.insecure=false; ds-publish --key and
#         --server-key instead of --insecure;
#     (c) (a) with the engine binary devsurv-noaudit (tests/bench/
#         bench_noaudit.c: the per-event audit entry removed by a link-time
#         seam), so (a) vs (c) is the audit A/B (issue target: overhead
#         < 10% of ingest throughput); skipped, with a message, when that
#         binary is missing;
#     (d) plans on (the default): ingest + extraction + plan statistics;
#   latency  N/4 of the notes paced at 10,000 events/s (ds-publish --rate),
#            plans off, plaintext: ds-publish's publish-to-commit latency
#            (first send of an event to the ACK that covers it) p50 and p99
#            (target: p99 < 20 ms);
#   raw libzmq  bench_zmq_raw: N/2 messages of the notes' mean size PUSH ->
#            PULL over ipc://, plaintext and CURVE, no framing, ACK or
#            store: the baseline the ingest rows are read against (ratio
#            (a) / raw plaintext, (b) / raw CURVE).
# Everything is run BENCH_E2E_RUNS times (default 3), the variants
# alternating within each round (320 B, replay, a, b, c, d, latency, raw;
# again ...) so drift on a busy machine does not land on one variant; the
# rows show the median and the notes the range over the rounds. The audit
# A/B then runs BENCH_E2E_AB_PAIRS (default 8) more (a), (c) pairs, back
# to back, the order swapped each pair: its rows and overhead rest on
# RUNS + pairs runs each, and the note gives the per-pair spread. Next to
# wall time, the engine's CPU time while ds-publish ran (user + system of
# the serve process from /proc, all threads, in clock ticks) gives us per
# event for each 1 KB variant and a second audit A/B, steadier than wall
# time when other processes share the CPUs (coarse below ~10,000 events:
# a tick is 10 ms; it leaves out the time spent waiting for fsync). Engine
# start-up is not timed: timing starts once its socket exists; there is no
# warm-up. Checks that every event was stored and ACKed, that (a), (b) and
# (d) recorded every event in events_stored audit entries and (c) none; fails
# (exit 1) only when something did not run or lost events, never on speed.
#
# Environment: BUILD (build/release), BENCH_E2E_RUNS (3),
# BENCH_E2E_AB_PAIRS (8; 0 for none),
# BENCH_E2E_NOAUDIT (the devsurv-noaudit binary, default
# $BUILD/bench/devsurv-noaudit), BENCH_E2E_ZMQ_RAW (the bench_zmq_raw
# binary, default $BUILD/bench/bench_zmq_raw); run.sh builds both.
# BENCH_E2E_DUMP=1 prints the generated 320 B stream on stdout and exits.
. "$(dirname "$0")/../lib.sh"
N=${1:-100000}
RUNS=${BENCH_E2E_RUNS:-3}
AB_PAIRS=${BENCH_E2E_AB_PAIRS:-8}
STREAM=$T/stream.jsonl
BASE=0.125 # outcomes per exposure per cell in this stream (cells near H0)

die() {
    echo "bench_e2e: $*" >&2
    exit 1
}

case $N in '' | *[!0-9]*) die "N must be a number, got '$N'" ;; esac
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_E2E_RUNS must be >= 1" ;; esac
case $AB_PAIRS in '' | *[!0-9]*) die "BENCH_E2E_AB_PAIRS must be >= 0" ;; esac
if [ "$N" -lt 1 ] || [ "$N" -gt 2000000 ]; then die "N must be 1..2000000"; fi

# The stream's vocabulary, as bench_stages.c uses it. Product codes are
# only checked for syntax; pairings are illustrative.
DEVICES='MGB|Angio-Seal|VIP 6F|femoral-closure|closure device
LZG|MiniMed|780G|pump-start|insulin pump
DXY|Azure|XT DR|ppm-implant|pacemaker
LWS|Evera|MRI XT|icd-implant|defibrillator
NIQ|Xience|Sierra 3.0|pci-stent|drug-eluting stent
DQY|Swan-Ganz|CCO 7.5F|pa-line|catheter
KWZ|Accolade|II 132|hip-arthroplasty|hip prosthesis
FRN|Alaris|8100|pump-start|infusion pump'
# Two outcomes per device, in the order of DEVICES.
OUTCOMES='E0505|Hematoma
E0602|Pseudoaneurysm
E1205|Hyperglycemia
A0701|Occlusion alarm
E0101|Arrhythmia
A0501|Lead dislodgement
E0103|Inappropriate shock
A0502|Lead fracture
E0404|Stent thrombosis
E0601|Restenosis
E0302|Infection
E1302|Vessel perforation
E1501|Dislocation
A0404|Loosening
E2101|Overdose
A0601|Free flow'
# Sentences of notes; @ is the device's term.
SENTENCES='Patient reviewed on the ward after @ placement.
Small haematoma at the access site, no bruit, pulses present.
Reports intermittent dizziness since the last visit.
Interrogation of the @ normal, impedance within range.
Occlusion alarm at night, glucose 18 mmol/L, corrected.
No adverse event reported by the patient or family.
Wound clean and dry, sutures removed, follow-up in six weeks.
Suspected malfunction of the @; unit returned to maker.
Chest pain on exertion, troponin negative, ECG unchanged.
Fever of 38.4 C, blood cultures taken, antibiotics started.'

# gen_stream N: one envelope per 13 s of event time from
# 2026-01-05T00:00:00Z (2000000 events stay inside 2026); kinds 40 %
# exposure, 10 % outcome, 40 % note, 10 % report (upper case); 200-400
# bytes. Park-Miller LCG, exact in awk's doubles: the same bytes each run.
gen_stream() {
    awk -v N="$1" -v devs="$DEVICES" -v outs="$OUTCOMES" \
        -v sents="$SENTENCES" 'BEGIN {
        split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
        ndev = split(devs, dev, "\n")
        split(outs, out, "\n")
        nsent = split(sents, sent, "\n")
        head = "{\"id\":\"bench-%07d\",\"kind\":\"%s\",\"time\":\"%s\","
        head = head "\"patient\":\"p-%06x\",\"encounter\":\"e-%05x\","
        head = head "\"device\":{\"product_code\":\"%s\",\"udi\":"
        head = head "\"(01)00614141%06d(21)SN%05d\",\"brand\":\"%s\","
        head = head "\"model\":\"%s\"}"
        seed = 20260105
        for (i = 1; i <= N; i++)
            print envelope(i)
    }
    function rnd() { seed = (seed * 16807) % 2147483647; return seed }
    function envelope(i,   r, kind, d, f, h, o) {
        r = rnd() % 10
        kind = r < 4 ? "exposure" : r < 5 ? "outcome" : \
            r < 9 ? "note" : "report"
        d = rnd() % ndev + 1
        split(dev[d], f, "|")
        h = sprintf(head, i, kind, ts((i - 1) * 13), rnd() % 16777216,
            rnd() % 1048576, f[1], rnd() % 1000000, i % 100000, f[2], f[3])
        if (kind == "exposure")
            return h ",\"procedure\":{\"code\":\"" f[4] \
                "\",\"action\":\"implanted\"}}"
        if (kind == "outcome") {
            split(out[2 * d - 1 + rnd() % 2], o, "|")
            return h ",\"event\":{\"code\":\"" o[1] "\",\"term\":\"" \
                o[2] "\"}}"
        }
        return h ",\"text\":\"" \
            text(400 - length(h) - 11, f[5], kind == "report") "\"}"
    }
    function ts(s,   day, m) {
        day = 4 + int(s / 86400); s %= 86400
        for (m = 1; day >= mdays[m]; m++) day -= mdays[m]
        return sprintf("2026-%02d-%02dT%02d:%02d:%02dZ", m, day + 1,
            int(s / 3600), int(s % 3600 / 60), s % 60)
    }
    function text(max, term, upper,   t, s, k) {
        t = ""
        for (k = 0; k < 4; k++) {
            s = sent[rnd() % nsent + 1]
            sub(/@/, term, s)
            if (k > 0 && length(t) + 1 + length(s) > max) break
            t = k ? t " " s : s
        }
        return upper ? toupper(t) : t
    }'
}

# ms since an arbitrary origin.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# row NAME ITEMS MS BYTES: one line in bench_stages' table format.
row() {
    awk -v name="$1" -v n="$2" -v ms="$3" -v b="$4" 'BEGIN {
        s = ms > 0 ? ms / 1000 : 0.001
        printf "%-8s %-33s %8d %8.3f %10.0f %8.1f %9s %9s\n",
            "stage", name, n, s, n / s, b / s / 1e6, "-", "-" }'
}

[ -n "${BENCH_E2E_DUMP:-}" ] && { gen_stream "$N"; exit 0; }
gen_stream "$N" >"$STREAM" || die "cannot generate the stream"
BYTES=$(($(wc -c <"$STREAM") - N)) # envelope bytes, newlines excluded
[ "$(grep -c . "$STREAM")" -eq "$N" ] || die "generator wrote the wrong count"

# gen_kb N: N notes of about 1 KB (sentences of SENTENCES up to 900
# bytes of text), one per second of event time from 2026-01-05.
gen_kb() {
    awk -v N="$1" -v sents="$SENTENCES" 'BEGIN {
        nsent = split(sents, sent, "\n")
        for (i = 1; i <= N; i++) {
            t = ""
            for (k = 0; length(t) < 900; k++)
                t = t (k ? " " : "") sent[(i + k) % nsent + 1]
            gsub(/@/, "catheter", t)
            printf "{\"id\":\"kb-%07d\",\"kind\":\"note\"," \
                "\"time\":\"2026-01-05T%02d:%02d:%02dZ\",\"patient\":" \
                "\"p-%06d\",\"device\":{\"product_code\":\"DQY\"}," \
                "\"text\":\"%s\"}\n", i, int(i / 3600) % 24,
                int(i / 60) % 60, i % 60, i % 9973, substr(t, 1, 900)
        }
    }'
}

NOAUDIT=${BENCH_E2E_NOAUDIT:-$BUILD/bench/devsurv-noaudit}
ZMQ_RAW=${BENCH_E2E_ZMQ_RAW:-$BUILD/bench/bench_zmq_raw}
K=$T/keys # CURVE keys of variant b: the engine's and the publisher's

# variant V: the engine binary (ENGINE), its extra settings (SETS) and
# ds-publish's security options (SEC) of variant a, b, c or d.
variant() {
    ENGINE=$DEVSURV SETS=(--set plans.enabled=false) SEC=(--insecure)
    case $1 in
    b)
        SETS+=(--set ingest.insecure=false
            --set "ingest.server_key=$K/engine.key"
            --set "ingest.allowlist=$K/allow.txt")
        SEC=(--server-key "$K/engine.pub" --key "$K/bench.key")
        ;;
    c) ENGINE=$NOAUDIT ;;
    d) SETS=() ;;
    esac
}

# publish_once R [STREAM N [ds-publish options]]: serve ($ENGINE with
# "${SETS[@]}") on a fresh database, time ds-publish ("${SEC[@]}"); sets
# PUB_MS, CPU_MS (the engine's user + system time, all its threads, while
# ds-publish ran), SENT and AUDITED (events recorded by events_stored audit entries: the audit_events runs), and
# leaves ds-publish's log in $T/pub.log.
publish_once() {
    local r=$1 stream=${2:-$STREAM} n=${3:-$N} t0
    local ep="ipc://$T/x$1.ipc" db="$T/e$1.db" log="$T/serve$1.log"
    shift $(($# < 3 ? $# : 3))
    start_bg "$log" "$ENGINE" serve -c contrib/demo.conf \
        --set "ingest.endpoint=$ep" --set "maxsprt.baseline_rate=$BASE" \
        ${SETS[@]+"${SETS[@]}"} --db "$db"
    SERVE=$BG_PID
    if ! wait_until 20 bound_or_dead "$T/x$r.ipc" || dead "$SERVE"; then
        die "serve did not bind $ep: $(tail -5 "$log")"
    fi
    local c0
    c0=$(cpu_ticks "$SERVE")
    t0=$(now_ms)
    timeout 300 "$PUBLISH" --endpoint "$ep" --source bench --timeout 30 \
        "${SEC[@]}" --journal "$T/j$r.db" "$@" "$stream" 2>"$T/pub.log"
    local rc=$?
    PUB_MS=$(($(now_ms) - t0))
    CPU_MS=$((($(cpu_ticks "$SERVE") - c0) * 1000 / HZ))
    [ $rc -eq 0 ] || die "ds-publish exit $rc: $(cat "$T/pub.log")"
    grep -q " $n acknowledged" "$T/pub.log" ||
        die "ds-publish did not get every ACK: $(cat "$T/pub.log")"
    local stored
    stored=$(sql "$db" "select count(*) from events")
    [ "$stored" = "$n" ] || die "serve stored $stored events of $n"
    AUDITED=$(sql "$db" "select coalesce(sum(last - first + 1), 0) from audit_events")
    SENT=$(sed -n 's/.* \([0-9]*\) sent (with resends).*/\1/p' "$T/pub.log")
    stop_wait "$SERVE" 30
    [ "$STOP_RC" = 0 ] ||
        die "serve did not stop cleanly ($STOP_RC): $(tail -5 "$log")"
    rm -f "$db" "$db-wal" "$db-shm" "$T/j$r.db"*
}

# replay_once R: time `devsurv replay` into a fresh database; sets REP_MS.
replay_once() {
    local db="$T/r$1.db" t0
    t0=$(now_ms)
    "$DEVSURV" replay -c contrib/demo.conf \
        --set "maxsprt.baseline_rate=$BASE" --db "$db" "$STREAM" \
        >"$T/replay.out" 2>"$T/replay.err"
    local rc=$?
    REP_MS=$(($(now_ms) - t0))
    [ $rc -eq 0 ] || die "replay exit $rc: $(tail -5 "$T/replay.err")"
    grep -q " $N events, 0 quarantined" "$T/replay.out" ||
        die "replay did not store every event:" \
            "$(grep '^replay:' "$T/replay.out")"
    rm -f "$db" "$db-wal" "$db-shm"
}

# raw_once MODE: bench_zmq_raw of NRAW messages of KB_SIZE bytes; sets
# RAW to its msgs/s.
raw_once() {
    local out
    out=$("$ZMQ_RAW" "$NRAW" "$KB_SIZE" "$T" "$1" 2>&1) ||
        die "bench_zmq_raw $1 failed: $out"
    RAW=$(echo "$out" | sed -n 's/.* \([0-9]*\) msgs\/s.*/\1/p')
    [ -n "$RAW" ] || die "bench_zmq_raw $1 printed no rate: $out"
}

# cpu_ticks PID: user + system clock ticks of PID, all threads so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

# shellcheck disable=SC2317 # called through wait_until
bound_or_dead() { test -S "$1" || dead "$SERVE"; }

# median X...: the middle value (the lower middle for an even count).
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

# quartiles X...: "q1 to q3" (nearest rank).
quartiles() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        i = int((NR + 3) / 4); j = int((3 * NR + 3) / 4)
        if (i < 1) i = 1
        if (j < 1) j = 1
        print v[i] " to " v[j] }'
}

# range N MS...: "min-max events/s" over the runs.
range() {
    local n=$1
    shift
    printf '%s\n' "$@" | sort -n | awk -v n="$n" '
        NR == 1 { lo = $1 } { hi = $1 }
        END { printf "%.0f-%.0f", n / (hi > 0 ? hi : 1) * 1000,
              n / (lo > 0 ? lo : 1) * 1000 }'
}

# span X...: "min-max" of numbers as given.
span() {
    printf '%s\n' "$@" | sort -g |
        awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo " to " hi }'
}

# calc EXPR [FORMAT]: awk arithmetic over the numbers in EXPR, printed
# with FORMAT (default %.1f).
calc() { awk "BEGIN { printf \"${2:-%.1f}\", $1 }"; }

t_start=$(now_ms)
NKB=$((N / 2 > 0 ? N / 2 : 1))
NLAT=$((N / 4 > 0 ? N / 4 : 1))
NRAW=$((NKB > 200000 ? NKB : 200000)) # at least ~0.5 s per raw run
gen_kb "$NKB" >"$T/kb.jsonl" || die "cannot generate the 1 KB stream"
head -n "$NLAT" "$T/kb.jsonl" >"$T/lat.jsonl"
KB_BYTES=$(($(wc -c <"$T/kb.jsonl") - NKB))
KB_SIZE=$(((KB_BYTES + NKB / 2) / NKB)) # mean note envelope, in bytes
mkdir -p "$K" || die "cannot create $K"
for k in engine bench; do
    "$DEVSURV" keygen "$K/$k" >/dev/null || die "devsurv keygen failed"
done
printf 'bench %s\n' "$(sed -n 's/^public-key = //p' "$K/bench.pub")" \
    >"$K/allow.txt"
VARIANTS="a b c d"
if [ ! -x "$NOAUDIT" ]; then
    VARIANTS="a b d"
    echo "bench_e2e: skipping row (c), ingest without the audit entry:" \
        "$NOAUDIT missing (tests/bench/run.sh builds it; or set" \
        "BENCH_E2E_NOAUDIT)"
fi
if [ ! -x "$ZMQ_RAW" ]; then
    echo "bench_e2e: skipping the raw libzmq rows: $ZMQ_RAW missing" \
        "(tests/bench/run.sh builds it; or set BENCH_E2E_ZMQ_RAW)"
    ZMQ_RAW=
fi

pubs=() reps=() p50s=() p99s=() raws=() rawcs=() overs=() covers=()
declare -A MS=() CPU=()

# kb_once V R: the 1 KB notes through variant V (run name R); appends its
# time and engine CPU to MS[V] and CPU[V], and checks that every event was
# recorded in events_stored audit entries ((c): none).
kb_once() {
    local v=$1 want=$NKB
    variant "$v"
    publish_once "$2" "$T/kb.jsonl" "$NKB"
    MS[$v]="${MS[$v]:-} $PUB_MS"
    CPU[$v]="${CPU[$v]:-} $CPU_MS"
    [ "$v" = c ] && want=0
    [ "$AUDITED" = "$want" ] ||
        die "variant $v recorded $AUDITED events in events_stored audit" \
            "entries, not $want"
}
for r in $(seq "$RUNS"); do
    variant d # the 320 B and replay rows: the default configuration
    publish_once "$r"
    pubs+=("$PUB_MS")
    MAIN_SENT=$SENT
    replay_once "$r"
    reps+=("$REP_MS")
    for v in $VARIANTS; do
        kb_once "$v" "$v$r"
        [ "$v" = a ] && ms_a=$PUB_MS
        [ "$v" = a ] && cpu_a=$CPU_MS
        [ "$v" = c ] && overs+=("$(calc "100 * (1 - $PUB_MS / $ms_a)")") &&
            covers+=("$(calc "100 * (1 - $CPU_MS / ($cpu_a > 0 ? $cpu_a : 1))")")
    done
    variant a
    publish_once "l$r" "$T/lat.jsonl" "$NLAT" --rate 10000
    lat=$(sed -n \
        's/.*latency.*p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/\1 \2/p' \
        "$T/pub.log")
    [ -n "$lat" ] ||
        die "ds-publish printed no latency: $(tail -2 "$T/pub.log")"
    p50s+=("${lat% *}") p99s+=("${lat#* }")
    if [ -n "$ZMQ_RAW" ]; then
        raw_once plain
        raws+=("$RAW")
        raw_once curve
        rawcs+=("$RAW")
    fi
done

# The audit A/B's extra pairs: (a) and (c) back to back, the order
# swapped every pair, so the estimate rests on more than RUNS samples.
for p in $(seq "$([ -n "${MS[c]:-}" ] && echo "$AB_PAIRS" || echo 0)"); do
    order="a c"
    [ $((p % 2)) = 0 ] && order="c a"
    for v in $order; do
        kb_once "$v" "p$v$p"
        eval "pms_$v=$PUB_MS pcpu_$v=$CPU_MS"
    done
    # shellcheck disable=SC2154 # pms_a etc. are set by the eval above
    {
        overs+=("$(calc "100 * (1 - $pms_c / $pms_a)")")
        covers+=("$(calc "100 * (1 - $pcpu_c / ($pcpu_a > 0 ? $pcpu_a : 1))")")
    }
done

echo "end to end: $N envelopes generated with awk, $(awk -v b="$BYTES" \
    'BEGIN { printf "%.1f", b / 1e6 }') MB, and $NKB notes of ~1 KB" \
    "(mean $KB_SIZE B); real binaries from $BUILD"
row "e2e publish -> serve, ACKed" "$N" "$(median "${pubs[@]}")" "$BYTES"
row "e2e replay (file, no network)" "$N" "$(median "${reps[@]}")" "$BYTES"
# shellcheck disable=SC2086 # MS[v] is a list of numbers
{
    row "e2e 1 KB ingest, plans off (a)" "$NKB" "$(median ${MS[a]})" "$KB_BYTES"
    row "e2e 1 KB ingest, CURVE (b)" "$NKB" "$(median ${MS[b]})" "$KB_BYTES"
    [ -n "${MS[c]:-}" ] &&
        row "e2e 1 KB ingest, no audit (c)" "$NKB" "$(median ${MS[c]})" \
            "$KB_BYTES"
    row "e2e 1 KB ingest+extract+plans (d)" "$NKB" "$(median ${MS[d]})" \
        "$KB_BYTES"
}
printf "%-8s %-33s %8d %8s %10s %8s %9.0f %9.0f\n" stage \
    "e2e 1 KB at 10k/s: publish->commit" "$NLAT" - 10000 - \
    "$(calc "$(median "${p50s[@]}") * 1000")" \
    "$(calc "$(median "${p99s[@]}") * 1000")"
if [ -n "$ZMQ_RAW" ]; then
    raw=$(median "${raws[@]}") rawc=$(median "${rawcs[@]}")
    printf "%-8s %-33s %8d %8.3f %10.0f %8.1f %9s %9s\n" baseline \
        "raw libzmq PUSH->PULL $KB_SIZE B" "$NRAW" \
        "$(calc "$NRAW / $raw" %.3f)" "$raw" \
        "$(calc "$raw * $KB_SIZE / 1e6")" - -
    printf "%-8s %-33s %8d %8.3f %10.0f %8.1f %9s %9s\n" baseline \
        "raw libzmq PUSH->PULL, CURVE" "$NRAW" \
        "$(calc "$NRAW / $rawc" %.3f)" "$rawc" \
        "$(calc "$rawc * $KB_SIZE / 1e6")" - -
fi

# shellcheck disable=SC2086
{
    ms_a=$(median ${MS[a]}) ms_b=$(median ${MS[b]}) ms_d=$(median ${MS[d]})
    rng_a=$(range "$NKB" ${MS[a]}) rng_b=$(range "$NKB" ${MS[b]})
    rng_d=$(range "$NKB" ${MS[d]})
    [ -n "${MS[c]:-}" ] && ms_c=$(median ${MS[c]}) rng_c=$(range "$NKB" ${MS[c]})
}
rate_a=$(calc "$NKB / $ms_a * 1000" %.0f)
rate_b=$(calc "$NKB / $ms_b * 1000" %.0f)
echo "1 KB rows: (a) plans off, plaintext, group commit (1000 events or" \
    "5 ms), synchronous=FULL: the durable-ingest target row; (b) = (a)" \
    "with CURVE; (c) = (a) with devsurv-noaudit; (d) plans on (the" \
    "default): ingest + extraction + plan statistics."
echo "ingest target: (a) $rate_a events/s of ~1 KB (target >= 50,000" \
    "events/s on one engine core)$([ -n "$ZMQ_RAW" ] && echo \
        ", $(calc "100 * $rate_a / $raw")% of raw libzmq PUSH->PULL" \
        "(${raw} msgs/s of $KB_SIZE B in this run)")."
echo "CURVE: (b) $rate_b events/s, $(calc "100 * $ms_a / $ms_b")% of" \
    "plaintext ingest$([ -n "$ZMQ_RAW" ] && echo \
        "; $(calc "100 * $rate_b / $rawc")% of raw libzmq with CURVE" \
        "(raw CURVE is $(calc "100 * $rawc / $raw")% of raw plaintext)")."
if [ -n "${MS[c]:-}" ]; then
    npair=${#overs[@]}
    echo "audit overhead: $(calc "100 * (1 - $ms_c / $ms_a)")% of ingest" \
        "throughput (target < 10%)"
    echo "  from the medians of (a) and (c) over $npair runs each (no" \
        "per-event audit entry, checked: 0 events_stored entries): the" \
        "$RUNS rounds and $AB_PAIRS extra back-to-back pairs, order" \
        "swapped each pair. Per pair: median $(median "${overs[@]}")%," \
        "quartiles $(quartiles "${overs[@]}")%, range" \
        "$(span "${overs[@]}")%: single runs are noisy."
    # shellcheck disable=SC2086
    cpu_a=$(median ${CPU[a]}) cpu_c=$(median ${CPU[c]})
    echo "  by engine CPU time:" \
        "$(calc "100 * (1 - $cpu_c / ($cpu_a > 0 ? $cpu_a : 1))")%" \
        "(medians; per pair median $(median "${covers[@]}")%, quartiles" \
        "$(quartiles "${covers[@]}")%): steadier than wall time when other" \
        "processes share the CPUs."
fi
# cpu_us V: the median engine CPU time per event of variant V, in us.
# shellcheck disable=SC2086
cpu_us() { calc "$(median ${CPU[$1]}) * 1000 / $NKB" %.1f; }
echo "engine CPU (user + system of the serve process, all threads, while" \
    "ds-publish ran; ticks of 1/$HZ s), us per event: (a) $(cpu_us a), i.e." \
    "$(calc "1e6 / ($(cpu_us a) > 0 ? $(cpu_us a) : 1)" %.0f) events/s" \
    "per engine core busy all the time (fsync waits not counted); (b) $(cpu_us b);$([ -n "${MS[c]:-}" ] &&
        echo " (c) $(cpu_us c);") (d) $(cpu_us d)."
echo "plans: (d) $(calc "$NKB / $ms_d * 1000" %.0f) events/s, plans cost" \
    "$(calc "100 * (1 - $ms_a / $ms_d)")% of ingest throughput with" \
    "~1 KB notes (extraction, linking, statistics, their rows and audit" \
    "entries; bench_plans measures the stages alone)."
echo "latency: $NLAT notes paced at 10,000 events/s, plans off," \
    "plaintext: publish-to-commit p50 $(median "${p50s[@]}") ms, p99" \
    "$(median "${p99s[@]}") ms (target p99 < 20 ms); p99 over the rounds" \
    "$(span "${p99s[@]}") ms."
echo "e2e rows: median of $RUNS rounds ((a) and (c): also the" \
    "$AB_PAIRS audit pairs), each run on a fresh database and" \
    "journal, variants alternating within a round; events/s over the" \
    "rounds: publish $(range "$N" "${pubs[@]}"), replay" \
    "$(range "$N" "${reps[@]}"), (a) $rng_a, (b) $rng_b," \
    "$([ -n "${MS[c]:-}" ] && echo "(c) $rng_c, ")(d) $rng_d$(
        [ -n "$ZMQ_RAW" ] && echo "; raw msgs/s $(span "${raws[@]}")," \
            "CURVE $(span "${rawcs[@]}") ($NRAW messages per run)")."
echo "publish rows: ds-publish --window 4000 (default) against serve with" \
    "contrib/demo.conf (batch 1000 events or 5 ms, credit 4000); the 320 B" \
    "and replay rows run the default configuration (plans on); $MAIN_SENT" \
    "EV sent for $N events in the last 320 B run (resends included)." \
    "bench_e2e took $((($(now_ms) - t_start) / 1000)) s; load average" \
    "at the end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) on $(nproc)" \
    "CPUs (above ~1 per CPU, the wall-time rows are noisy)."
exit 0
