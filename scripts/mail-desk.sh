# Sourced by scripts/demo and the benchmarks that run a desk against real mail servers.
#
# mail_desk_up NAME: a fresh folder /tmp/NAME.XXXXXX (set as DESK), a private Dovecot +
# Postfix pair in it (scripts/mail-servers), and a desk configuration for them written from
# config/demo.toml; exports SUPORT_CONFIG, the servers' variables (MAIL_DIR, MAIL_CA, the
# ports, WEB_PORT) and the demo passwords. Stopping the servers is the caller's:
# scripts/mail-servers down "$MAIL_DIR".
mail_desk_up() {
    DESK=$(mktemp -d "/tmp/$1.XXXXXX")
    chmod 755 "$DESK"  # the mail daemons run as other users and must reach their folder
    scripts/mail-servers up -d "$DESK/mail" > "$DESK/servers.env"
    set -a; . "$DESK/servers.env"; set +a
    # The web desk beside the mail ports (BASE+80), free when they were.
    WEB_PORT=$((IMAPS_PORT - 993 + 80))
    sed -e "s#@WEB_PORT@#$WEB_PORT#g" -e "s#@DIR@#$DESK#g" -e "s#@REPO@#$PWD#g" -e "s#@CA@#$MAIL_CA#g" \
        -e "s#@IMAPS_PORT@#$IMAPS_PORT#g" -e "s#@SUBMISSION_PORT@#$SUBMISSION_PORT#g" config/demo.toml > "$DESK/suport.toml"
    export SUPORT_CONFIG=$DESK/suport.toml DEMO_SUPPORT_PASSWORD=support-pw DEMO_TREASURY_PASSWORD=treasury-pw WEB_PORT
    export DEMO_WEB_SECRET=demo-link-secret-not-for-production
}
