import Testing

/// Every integration test shares one Dovecot + Postfix pair and its mailboxes, so they run
/// one at a time: `.serialized` here covers every suite nested in `Integration`.
@Suite(.serialized) struct Integration {}
