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
        try (TestServer s = new TestServer(dir.resolve("home"), o)) {
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
