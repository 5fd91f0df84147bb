import org.apache.http.conn.ssl.TrustStrategy;
import org.apache.http.ssl.SSLContextBuilder;
import org.apache.http.ssl.SSLContexts;

class TrustMaterial {
    SSLContext a() throws Exception {
        return SSLContextBuilder.create().loadTrustMaterial(null, (chain, authType) -> true).build();
    }

    SSLContext b() throws Exception {
        return SSLContexts.custom()
            .loadTrustMaterial(null, (X509Certificate[] chain, String authType) -> {
                return true;
            })
            .build();
    }

    static final TrustStrategy ANY = new TrustStrategy() {
        public boolean isTrusted(X509Certificate[] chain, String authType) {
            return true;
        }
    };
}
