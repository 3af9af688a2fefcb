package dev.tollgate.authz;

/** Who a verified request comes from, and by which kind of credential. */
public record Identity(String consumer, String credentialKind) {}
