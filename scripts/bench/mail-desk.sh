# Sourced by the benchmarks that need real mail servers: starts a private Dovecot + Postfix
# pair in a fresh folder, writes a desk configuration for it from config/demo.toml, and stops
# the servers on exit. Sets BENCH (the folder), SUPORT_CONFIG and the servers' variables.
scripts/bootstrap
scripts/mail-servers install
BENCH=$(mktemp -d /tmp/suport-bench.XXXXXX)
chmod 755 "$BENCH"  # the mail daemons run as other users and must reach their folder
scripts/mail-servers up -d "$BENCH/mail" > "$BENCH/servers.env"
set -a; . "$BENCH/servers.env"; set +a
sed -e "s#@DIR@#$BENCH#g" -e "s#@REPO@#$PWD#g" -e "s#@CA@#$MAIL_CA#g" \
    -e "s#@IMAPS_PORT@#$IMAPS_PORT#g" -e "s#@SUBMISSION_PORT@#$SUBMISSION_PORT#g" config/demo.toml > "$BENCH/suport.toml"
export SUPORT_CONFIG=$BENCH/suport.toml DEMO_SUPPORT_PASSWORD=support-pw DEMO_TREASURY_PASSWORD=treasury-pw
bench_cleanup() {
    [ -n "${BENCH_DAEMON:-}" ] && kill -TERM "$BENCH_DAEMON" 2>/dev/null && wait "$BENCH_DAEMON" 2>/dev/null
    scripts/mail-servers down "$MAIL_DIR" >/dev/null 2>&1 || true
    rm -rf "$BENCH"
}
trap bench_cleanup EXIT
