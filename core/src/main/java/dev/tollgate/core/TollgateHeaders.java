package dev.tollgate.core;

/** HTTP header and metadata names shared by Envoy config and the ext services. */
public final class TollgateHeaders {
  private TollgateHeaders() {}

  /** Every internal header starts with this; any client-supplied one is stripped by ext_authz. */
  public static final String PREFIX = "x-tollgate-";
  /** Gateway-assigned request id: on every response, and the key that ties the two ext_proc stages. */
  public static final String REQUEST_ID = "x-tollgate-request-id";
  /** The resolved public model; routes match on it. */
  public static final String MODEL = "x-tollgate-model";
  /** Set by the weighted cluster Envoy picked: the model name that target's backend expects. */
  public static final String UPSTREAM_MODEL = "x-tollgate-upstream-model";
  /** Set on the response by the weighted cluster Envoy picked: its backend's name, for the usage ledger. */
  public static final String BACKEND = "x-tollgate-backend";
  /** gRPC metadata on the upstream ext_proc stream, so one processor service can tell the stages apart. */
  public static final String STAGE_METADATA = "x-tollgate-ext-proc-stage";
  public static final String STAGE_UPSTREAM = "upstream";
  /** The dynamic metadata namespace Envoy files ext_authz results under. */
  public static final String AUTHZ_NAMESPACE = "envoy.filters.http.ext_authz";
  /** Key of the consumer name inside that namespace. */
  public static final String CONSUMER_KEY = "consumer";
  /**
   * The dynamic metadata namespace ext_proc fills with the provider's token counts at response
   * end, for access logs: {@code %DYNAMIC_METADATA(tollgate.usage:total_tokens)%}.
   */
  public static final String USAGE_NAMESPACE = "tollgate.usage";
}
