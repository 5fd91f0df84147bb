import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;

public class HostnameLambda {
    static final HostnameVerifier DEFAULT = HttpsURLConnection.getDefaultHostnameVerifier();
    static final HostnameVerifier PINNED = (hostname, session) -> hostname.equals("api.internal.example.com")
        && DEFAULT.verify(hostname, session);
    static final String NOTE = "HostnameVerifier hv = (h, s) -> true; is forbidden";
}
