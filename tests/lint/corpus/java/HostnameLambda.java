import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSession;

public class HostnameLambda {
    static final HostnameVerifier ACCEPT_ALL = (hostname, session) -> true;
    static HostnameVerifier typed = (String hostname, SSLSession session) -> {
        return true;
    };

    static void install() {
        HostnameVerifier allHostsValid = (h, s) -> true;
        HttpsURLConnection.setDefaultHostnameVerifier(allHostsValid);
    }
}
