package dev.tollgate.core.config;

/** Fills every optional field with its documented default, so later code never checks for null. */
final class Defaults {
  private Defaults() {}

  static GatewayConfig apply(GatewayConfig raw) {
    ControlPlaneConfig controlPlane =
        (raw.controlPlane() == null ? new ControlPlaneConfig(null, null, null) : raw.controlPlane())
            .withDefaults();
    return new GatewayConfig(
        (raw.listener() == null ? new ListenerConfig(null, null) : raw.listener()).withDefaults(),
        controlPlane,
        (raw.extServices() == null ? new ExtServicesConfig(null, null, null) : raw.extServices())
            .withDefaults(controlPlane),
        (raw.limits() == null ? new LimitsConfig(null) : raw.limits()).withDefaults(),
        raw.backends().stream().map(b -> b == null ? null : b.withDefaults()).toList(),
        raw.models().stream().map(m -> m == null ? null : m.withDefaults()).toList(),
        raw.consumers(),
        raw.store().withDefaults(),
        raw.teams().stream().map(t -> t == null ? null : t.withDefaults()).toList(),
        raw.auth().withDefaults(),
        raw.redis() == null ? null : raw.redis().withDefaults(),
        raw.policies(),
        raw.auditLog(),
        raw.prices(),
        raw.budgets().withDefaults());
  }
}
