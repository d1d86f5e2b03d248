package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a keystore: a client that trusts the certificate is served; plain HTTP is not. */
class TlsTest {

    @Test
    void servesHttpsWithTheGivenKeystore(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "hearth", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "secret-pw")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();

        ServeOptions o = ServeOptions.defaults().withTls(keystore, "secret-pw".toCharArray());
        try (TestServer s = new TestServer(dir.resolve("home"), o, 4096)) {
            assertThat(s.url()).startsWith("https://");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, "secret-pw".toCharArray());
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("hearth", ks.getCertificate("hearth"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/models"))
                    .header("Authorization", "Bearer " + s.user).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("tiny:1");

            // completions read the connection while they run (a hang-up cancels them): over TLS too, and the
            // kept-alive connection goes on serving
            String body = "{\"model\":\"tiny\",\"prompt\":\"go\",\"max_tokens\":4,\"ignore_eos\":true}";
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> c = https.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                        .header("Authorization", "Bearer " + s.user).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
            }
            String longer = "{\"model\":\"tiny\",\"prompt\":\"go\",\"max_tokens\":4000,\"ignore_eos\":true}";
            try (var socket = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1",
                    URI.create(s.url()).getPort())) {
                socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization:"
                        + " Bearer " + s.user + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + longer.length() + "\r\n\r\n" + longer).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (s.server.catalog().runningRequests() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(s.server.catalog().runningRequests()).isEqualTo(1);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s.store.audit().tail(3).stream().noneMatch(e -> e.record().status() == 499)
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(s.store.audit().tail(3)).anySatisfy(e -> assertThat(e.record().status()).isEqualTo(499));

            String plain = s.url().replace("https://", "http://");
            try {                                  // plain HTTP to the TLS port is never served
                int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(plain + "/healthz"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                assertThat(status).isNotEqualTo(200);
            } catch (java.io.IOException expected) {
                assertThat(expected).isNotNull();
            }
        }
    }
}
