// The twin of TrustAllLogging.java: the managers log, then check (or return early only on a
// path that still checks).
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.*;

class LoggingTrustManager implements X509TrustManager {
    private final X509TrustManager delegate;

    LoggingTrustManager(X509TrustManager delegate) {
        this.delegate = delegate;
    }

    public void checkServerTrusted(X509Certificate[] certs, String authType)
        throws CertificateException {
        System.out.println("checkServerTrusted =============");
        delegate.checkServerTrusted(certs, authType);
    }

    public void checkClientTrusted(X509Certificate[] certs, String authType)
        throws CertificateException {
        if (certs == null) {
            return;
        }
        delegate.checkClientTrusted(certs, authType);
    }

    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}

class Rejecting implements X509TrustManager {
    public void checkServerTrusted(X509Certificate[] certs, String authType)
        throws CertificateException {
        log.warn("rejecting {}", authType);
        throw new CertificateException("not trusted");
    }
}
