import java.io.File;
import org.apache.http.ssl.SSLContextBuilder;

class TrustMaterialOk {
    // loadTrustMaterial(null, (chain, authType) -> true) would trust anything.
    SSLContext a() throws Exception {
        return SSLContextBuilder.create()
            .loadTrustMaterial(new File("/etc/ssl/company-truststore.jks"), "changeit".toCharArray())
            .build();
    }

    SSLContext b(KeyStore store) throws Exception {
        return SSLContextBuilder.create()
            .loadTrustMaterial(store, (chain, authType) -> chain.length == 1 && pinned(chain[0]))
            .build();
    }

    public boolean isTrusted(X509Certificate[] chain, String authType) {
        return pinned(chain[0]);
    }
}
