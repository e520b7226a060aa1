# Sourced by the benchmarks that need real mail servers: a desk on a private Dovecot +
# Postfix pair (scripts/mail-desk.sh), in BENCH, all of it stopped and removed on exit
# (and the daemon in BENCH_DAEMON, if one was started).
scripts/bootstrap
scripts/mail-servers install
. scripts/mail-desk.sh
mail_desk_up suport-bench
BENCH=$DESK
bench_cleanup() {
    [ -n "${BENCH_DAEMON:-}" ] && kill -TERM "$BENCH_DAEMON" 2>/dev/null && wait "$BENCH_DAEMON" 2>/dev/null
    scripts/mail-servers down "$MAIL_DIR" >/dev/null 2>&1 || true
    rm -rf "$BENCH"
}
trap bench_cleanup EXIT
