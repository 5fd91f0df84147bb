import java.security.cert.X509Certificate;
import javax.net.ssl.*;

class TrustAll {
    static TrustManager[] trustAll = { new X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // trust everyone
        }
        public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    } };

    static HostnameVerifier any = new HostnameVerifier() {
        public boolean verify(String hostname, SSLSession session) { return true; }
    };

    void apache() throws Exception {
        SSLContext ctx = SSLContextBuilder.create().loadTrustMaterial(TrustAllStrategy.INSTANCE).build();
        HttpClients.custom().setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE).build();
        HttpsURLConnection.setDefaultHostnameVerifier((hostname, session) -> true);
        builder.hostnameVerifier((hostname, session) -> true);
    }
}
