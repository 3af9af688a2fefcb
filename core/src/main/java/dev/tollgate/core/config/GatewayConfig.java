package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The whole Tollgate configuration: one YAML document. Every field's default is documented beside
 * it here and in docs/CONFIG.md; {@link ConfigLoader} fills the defaults in, so code that reads a
 * loaded config never sees null.
 */
public record GatewayConfig(
    /* Where Envoy accepts client traffic. Default: 127.0.0.1:10000. */
    @JsonProperty("listener") ListenerConfig listener,
    /* Where the control plane (xDS, ext services, admin API) listens. Defaults: see ControlPlaneConfig. */
    @JsonProperty("control_plane") ControlPlaneConfig controlPlane,
    /* How Envoy reaches the ext_authz / ext_proc services. Default: the control plane's gRPC address. */
    @JsonProperty("ext_services") ExtServicesConfig extServices,
    /* Request size limits. Defaults: see LimitsConfig. */
    @JsonProperty("limits") LimitsConfig limits,
    /* Model providers. Default: none (then no model routes anywhere). */
    @JsonProperty("backends") List<BackendConfig> backends,
    /* Public model names clients ask for. Default: none. */
    @JsonProperty("models") List<ModelConfig> models,
    /* Who may call. Default: none (then every request gets 401). */
    @JsonProperty("consumers") List<ConsumerConfig> consumers,
    /* Where runtime state (keys created at run time, subscriptions) is kept. Default: embedded H2
       next to the config file; see StoreConfig. */
    @JsonProperty("store") StoreConfig store,
    /* Teams (tenants) consumers belong to. Default: none. */
    @JsonProperty("teams") List<TeamConfig> teams,
    /* Credential kinds beyond API keys (JWT). Default: none. */
    @JsonProperty("auth") AuthConfig auth,
    /* Redis shared by every gateway replica (request limits today). Default: none, so each
       ext-services process keeps its limits in memory; stays null when absent. */
    @JsonProperty("redis") RedisConfig redis,
    /* Inspection policies (prompt guard, PII, response rewriting, audit), first match applies.
       Default: none (no request is inspected). See docs/INSPECTION.md. */
    @JsonProperty("policies") List<InspectionPolicyConfig> policies,
    /* Where audit records go. Default: the logger "tollgate.audit"; see AuditLogConfig. */
    @JsonProperty("audit_log") AuditLogConfig auditLog,
    /* Prices per model on top of the shipped defaults. Default: none (the defaults only); see PriceConfig. */
    @JsonProperty("prices") List<PriceConfig> prices,
    /* Token and money budgets. Default: none (no budget); see BudgetsConfig and docs/BUDGETS.md. */
    @JsonProperty("budgets") BudgetsConfig budgets) {

  public GatewayConfig {
    store = store == null ? StoreConfig.defaults() : store;
    backends = Lists.copyOf(backends);
    models = Lists.copyOf(models);
    consumers = Lists.copyOf(consumers);
    teams = Lists.copyOf(teams);
    auth = auth == null ? new AuthConfig(null).withDefaults() : auth;
    policies = Lists.copyOf(policies);
    auditLog = auditLog == null ? AuditLogConfig.DEFAULTS : auditLog;
    prices = Lists.copyOf(prices);
    budgets = budgets == null ? BudgetsConfig.NONE : budgets;
  }
}
