package dev.tollgate.xds.translate;

/**
 * Which Tollgate filters Envoy runs. Serving always uses {@link #ALL}; the others exist so a
 * benchmark can measure, on the same listener and clusters, what each stage costs.
 */
public enum FilterSet {
  /** Plain Envoy: no ext_authz, no ext_proc. The client names the route in {@link #BENCH_ROUTE_HEADER}. */
  NONE(false, false),
  /** ext_authz only. The client names the route in {@link #BENCH_ROUTE_HEADER}. */
  AUTHZ_ONLY(true, false),
  /** ext_authz, the router-level ext_proc stage and the upstream stage: the gateway as it serves. */
  ALL(true, true);

  /**
   * Without ext_proc nobody reads the body to route, so benchmark clients send the model in a
   * header of their own. It is not an {@code x-tollgate-} header, which ext_authz strips.
   */
  public static final String BENCH_ROUTE_HEADER = "x-bench-model";

  private final boolean authz;
  private final boolean extProc;

  FilterSet(boolean authz, boolean extProc) {
    this.authz = authz;
    this.extProc = extProc;
  }

  public boolean authz() {
    return authz;
  }

  public boolean extProc() {
    return extProc;
  }
}
