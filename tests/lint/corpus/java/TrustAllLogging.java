// Real trust-all managers whose checkServerTrusted does nothing but log or return:
// fischerfel/TUM-Crypto data/tm/insecure/Snippet37899495_19915.java (a Stack Overflow answer)
// and org.qbroker.net.TrustAllManager (search corpus).
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.*;

class TrustAllLogging {
    void init() throws Exception {
        SSLContext sslContext = SSLContext.getInstance("SSL");
        sslContext.init(null, new TrustManager[] { new X509TrustManager() {
                    public X509Certificate[] getAcceptedIssuers() {
                            System.out.println("getAcceptedIssuers =============");
                            return null;
                    }

                    public void checkClientTrusted(X509Certificate[] certs,
                                    String authType) {
                            System.out.println("checkClientTrusted =============");
                    }

                    public void checkServerTrusted(X509Certificate[] certs,
                                    String authType) {
                            System.out.println("checkServerTrusted =============");
                    }
        } }, new SecureRandom());
    }
}

class TrustAllManager implements X509TrustManager {
    public X509Certificate[] getAcceptedIssuers() {
        return null;
    }

    public void checkServerTrusted(X509Certificate[] certs, String authType)
        throws CertificateException {
        return;
    }

    public void checkClientTrusted(X509Certificate[] certs, String authType)
        throws CertificateException {
        return;
    }
}
