package dev.tollgate.tests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway PKI made with openssl at test time: a CA, a server certificate for 127.0.0.1, and
 * client certificates whose URI SAN is a SPIFFE ID, as a mesh's workload certificates are.
 */
final class TestCertificates {
  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** A CA named {@code name} in {@code dir}; certificates it issues go there too. */
  static TestCertificates authority(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    TestCertificates ca = new TestCertificates(dir);
    ca.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", ca.key(name).toString(), "-out", ca.cert(name).toString(), "-days", "2", "-subj", "/CN=" + name,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    Files.copy(ca.cert(name), dir.resolve("ca.pem"));
    Files.copy(ca.key(name), dir.resolve("ca.key"));
    return ca;
  }

  /** Issues {@code name}.pem / {@code name}.key with the given subjectAltName (e.g. {@code URI:spiffe://...}). */
  void issue(String name, String subjectAltName) throws IOException {
    Path csr = dir.resolve(name + ".csr");
    Path ext = dir.resolve(name + ".ext");
    Files.writeString(ext, "subjectAltName=" + subjectAltName + "\nbasicConstraints=CA:FALSE\n"
        + "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n");
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key(name).toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
    openssl("x509", "-req", "-in", csr.toString(), "-CA", dir.resolve("ca.pem").toString(),
        "-CAkey", dir.resolve("ca.key").toString(), "-CAcreateserial", "-out", cert(name).toString(),
        "-days", "2", "-extfile", ext.toString());
  }

  Path cert(String name) {
    return dir.resolve(name + ".pem");
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  /** TLS that trusts {@code caCert} and, if {@code client} is not null, presents that certificate. */
  SSLContext context(Path caCert, String client) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", readCertificates(caCert).get(0));
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (client != null) {
      keys.setKeyEntry("client", readKey(key(client)), new char[0],
          readCertificates(cert(client)).toArray(new Certificate[0]));
    }
    keyManagers.init(keys, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    javax.net.ssl.X509KeyManager chosen = (javax.net.ssl.X509KeyManager) keyManagers.getKeyManagers()[0];
    // Present the certificate even when the server names other CAs it trusts, as an attacker would.
    javax.net.ssl.KeyManager always = new javax.net.ssl.X509ExtendedKeyManager() {
      @Override public String[] getClientAliases(String type, java.security.Principal[] issuers) {
        return chosen.getClientAliases(type, null);
      }
      @Override public String chooseClientAlias(String[] types, java.security.Principal[] issuers, java.net.Socket s) {
        return client == null ? null : "client";
      }
      @Override public String chooseEngineClientAlias(String[] types, java.security.Principal[] issuers,
          javax.net.ssl.SSLEngine engine) {
        return client == null ? null : "client";
      }
      @Override public String[] getServerAliases(String type, java.security.Principal[] issuers) {
        return null;
      }
      @Override public String chooseServerAlias(String type, java.security.Principal[] issuers, java.net.Socket s) {
        return null;
      }
      @Override public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
        return chosen.getCertificateChain(alias);
      }
      @Override public PrivateKey getPrivateKey(String alias) {
        return chosen.getPrivateKey(alias);
      }
    };
    context.init(new javax.net.ssl.KeyManager[] {always}, trustManagers.getTrustManagers(), null);
    return context;
  }

  private static List<Certificate> readCertificates(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
  }

  private static PrivateKey readKey(Path pem) throws Exception {
    String text = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(text)));
  }

  private void openssl(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException("openssl " + String.join(" ", args) + " failed: " + Files.readString(dir.resolve("openssl.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
