package dev.tollgate.xds.server;

/** Small valid config documents for the server tests. */
final class TestConfigs {
  private TestConfigs() {}

  /** A valid document whose models are the given names, all on one backend; consumer "app" may use all. */
  static String withModels(String... models) {
    StringBuilder yaml = new StringBuilder("""
        backends:
          - name: local
            kind: openai-compatible
            endpoints: [ { host: 127.0.0.1, port: 8000 } ]
        models:
        """);
    for (String model : models) {
      yaml.append("  - name: ").append(model).append("\n    targets: [ { backend: local } ]\n");
    }
    yaml.append("""
        consumers:
          - name: app
            models: [ "*" ]
        """);
    return yaml.toString();
  }
}
