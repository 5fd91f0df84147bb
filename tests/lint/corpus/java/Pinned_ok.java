import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.*;

class Delegating implements X509TrustManager {
    private final X509TrustManager delegate;

    Delegating(X509TrustManager delegate) { this.delegate = delegate; }

    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    public X509Certificate[] getAcceptedIssuers() { return delegate.getAcceptedIssuers(); }

    // Do not use NoopHostnameVerifier or TrustAllStrategy here.
    static final HostnameVerifier STRICT = HttpsURLConnection.getDefaultHostnameVerifier();

    boolean verify(String hostname, SSLSession session) {
        return STRICT.verify(hostname, session);
    }
}
