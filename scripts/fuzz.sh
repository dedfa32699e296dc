#!/usr/bin/env bash
# Fuzz tendonwatch's decoders with cargo fuzz (libFuzzer), each for a bounded
# time. The targets (fuzz/fuzz_targets/) feed arbitrary bytes to
# `tendonwatch::decode::decode_bytes`, whose contract is: it returns, whatever
# the bytes — no panic gets out, no hang, bounded memory.
#
# Usage: scripts/fuzz.sh [TARGET...]
#        (default: decode_fit decode_gpx decode_tcx read_bundle)
#
# read_bundle feeds the bytes to `tendonwatch::bundle::read_bundle` as an
# export zip; its seeds are small Strava- and Garmin-style zips that python3's
# zipfile builds at run time from the small real files.
#
# Environment:
#   FUZZ_SECONDS         run time per target, seconds (default 60)
#   FUZZ_MAX_LEN         largest input libFuzzer builds, bytes (default 65536)
#   FUZZ_SEED_MAX_BYTES  real files larger than this are not seeded (default
#                        49152: with the 50-120 KB runs as seeds, decode_fit
#                        runs ~70 inputs/s instead of ~250 and covers less in
#                        a minute)
#   FUZZ_SANITIZER       cargo fuzz --sanitizer: address (default) or none, ...
#   TW_FUZZ_PANICS       what counts as a crash: escape (default: a panic that
#                        gets out of decode_bytes), project (also a panic in
#                        tendonwatch's own code that decode_bytes caught), all
#
# Each run is limited by -max_total_time, -rss_limit_mb=2048 (also the
# largest single allocation) and -timeout=10 (seconds per input).
#
# Exit status: 0 when no target found anything; 1 when one crashed, hung or ran
# out of memory (the saved input's path is printed: rerun it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET PATH`); 2 on a setup error.
#
# Only the stable toolchain is installed: cargo fuzz needs nightly-only flags
# (-Zsanitizer, sancov passes), which RUSTC_BOOTSTRAP=1 unlocks on stable.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
real="$root/../shared/fixtures/real"
# TCX seeds are the repository's own real files (fixtures/real/SOURCES.md).
repo_real="$root/fixtures/real"
fuzz_dir="$root/fuzz"

seconds=${FUZZ_SECONDS:-60}
max_len=${FUZZ_MAX_LEN:-65536}
seed_max=${FUZZ_SEED_MAX_BYTES:-49152}
sanitizer=${FUZZ_SANITIZER:-address}
for n in "$seconds" "$max_len" "$seed_max"; do
    if ! [[ $n =~ ^[0-9]+$ ]] || [[ $n -eq 0 ]]; then
        echo "fuzz.sh: FUZZ_SECONDS, FUZZ_MAX_LEN and FUZZ_SEED_MAX_BYTES must be positive integers" >&2
        exit 2
    fi
done

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=(decode_fit decode_gpx decode_tcx read_bundle)
fi

export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

# Real files seed the corpus; they are copied at run time (fuzz/corpus is
# gitignored) and never into the repository.
# Export zips for read_bundle: a Strava layout (activities.csv, gzipped and
# plain entries), a Garmin layout (a stored nested zip of FIT files), one
# entry with a hostile name.
seed_bundles() {
    local corpus="$fuzz_dir/corpus/read_bundle"
    mkdir -p "$corpus"
    if ! command -v python3 >/dev/null; then
        echo "fuzz.sh: read_bundle: no python3 to build seed zips; starting from nothing" >&2
        return
    fi
    python3 - "$real" "$corpus" <<'PY'
import gzip, io, sys, zipfile
real, corpus = sys.argv[1], sys.argv[2]
fit = open(f"{real}/fit/activity_multisport.fit", "rb").read()
gpx = open(f"{real}/gpx/Friday-Evening-Run.gpx", "rb").read()
def zipped(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()
csv = ("\ufeffActivity ID,Activity Date,Activity Name,Activity Type,Filename\r\n"
       '1,"Aug 15, 2015, 2:45:08 PM","A ""quoted"", name",Ride,activities/1.gpx.gz\r\n')
seeds = {
    "strava.zip": zipped([("activities.csv", csv), ("activities/1.gpx.gz", gzip.compress(gpx)),
                          ("activities/2.fit", fit), ("media/1.jpg", b"x")]),
    "garmin.zip": zipped([("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
                           zipped([("a_1_ACTIVITY.fit", fit)])),
                          ("DI_CONNECT/x.json", b"{}")], zipfile.ZIP_STORED),
    "hostile.zip": zipped([("../escape.fit", fit)], zipfile.ZIP_STORED),
}
for name, data in seeds.items():
    open(f"{corpus}/seed-{name}", "wb").write(data)
PY
    echo "fuzz.sh: read_bundle: seeded 3 export zips into $corpus"
}

seed() {
    local target=$1 kind dir
    case $target in
        read_bundle)
            seed_bundles
            return
            ;;
        decode_fit) kind=fit dir=$real/fit ;;
        decode_gpx) kind=gpx dir=$real/gpx ;;
        decode_tcx) kind=tcx dir=$repo_real/tcx ;;
        *)
            echo "fuzz.sh: unknown target $target (known: decode_fit decode_gpx decode_tcx read_bundle)" >&2
            exit 2
            ;;
    esac
    if [[ ! -d $dir ]]; then
        echo "fuzz.sh: no seed files in $dir" >&2
        exit 2
    fi
    local corpus="$fuzz_dir/corpus/$target" seeded=0 skipped=0 f size
    mkdir -p "$corpus"
    for f in "$dir"/*; do
        [[ -f $f ]] || continue
        size=$(stat -c %s "$f")
        if [[ $size -gt $seed_max ]]; then
            skipped=$((skipped + 1))
            continue
        fi
        install -m 0644 "$f" "$corpus/seed-$(basename "$f")"
        seeded=$((seeded + 1))
    done
    echo "fuzz.sh: $target: seeded $seeded real $kind files into $corpus ($skipped larger than $seed_max bytes left out)"
}

log_dir="$fuzz_dir/target/fuzz-logs"
mkdir -p "$log_dir"
failed=0
summary=()

for target in "${targets[@]}"; do
    seed "$target"
    artifacts="$fuzz_dir/artifacts/$target"
    mkdir -p "$artifacts"
    marker=$(mktemp)
    log="$log_dir/$target.log"
    echo "fuzz.sh: running $target for ${seconds}s (log: $log)"
    status=0
    (cd "$root" && cargo fuzz run --sanitizer "$sanitizer" "$target" "$fuzz_dir/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" \
        -print_final_stats=1) 2>&1 | tee "$log" || status=$?

    # Anything libFuzzer saved during this run (crash-, timeout-, oom-, leak-).
    mapfile -t found < <(find "$artifacts" -type f -newer "$marker" \
        \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort)
    rm -f "$marker"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [[ $status -ne 0 || ${#found[@]} -gt 0 ]]; then
        failed=1
        line="$target: FAILED (exit $status, ${execs:-?} inputs run)"
        if [[ ${#found[@]} -eq 0 ]]; then
            line+="; no input saved, see $log"
        fi
        for a in "${found[@]}"; do
            line+=$'\n'"    artifact: $a"
        done
    else
        line="$target: ok, ${execs:-?} inputs in ${seconds}s, nothing found"
    fi
    # Panics decode_bytes caught (allowed by its contract), once per location.
    while IFS= read -r caught; do
        line+=$'\n'"    ${caught#tendonwatch-fuzz: }"
    done < <(grep -a '^tendonwatch-fuzz: caught panic' "$log" | sort -u || true)
    summary+=("$line")
done

echo
echo "== fuzz summary (${seconds}s per target, sanitizer $sanitizer, TW_FUZZ_PANICS=${TW_FUZZ_PANICS:-escape}) =="
for line in "${summary[@]}"; do
    echo "$line"
done
exit $failed
