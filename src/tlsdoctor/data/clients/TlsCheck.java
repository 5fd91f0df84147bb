// One HTTPS GET with Java's HttpsURLConnection, verification on (the JVM's default trust:
// the JDK cacerts, or javax.net.ssl.trustStore from JAVA_TOOL_OPTIONS and friends).
// Usage: java [-Dhttps.proxyHost=H -Dhttps.proxyPort=P] TlsCheck.java URL TIMEOUT_SECONDS
// Java reads the proxy from https.proxyHost/https.proxyPort, not from https_proxy.
// Prints "HTTP <status>" and exits 0 on any HTTP answer; prints the exception and exits 1.
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;

public class TlsCheck {
    public static void main(String[] args) {
        final String proxyUser = System.getProperty("tlsdoctor.proxyUser");
        if (proxyUser != null) {
            // Answers the proxy's 407 only (never the server): user from the command line,
            // password from the environment so that it does not show in the process list.
            final String password = System.getenv().getOrDefault("TLSDOCTOR_PROXY_PASSWORD", "");
            Authenticator.setDefault(new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    if (getRequestorType() != RequestorType.PROXY) {
                        return null;
                    }
                    return new PasswordAuthentication(proxyUser, password.toCharArray());
                }
            });
        }
        try {
            int timeout = (int) (Double.parseDouble(args.length > 1 ? args[1] : "15") * 1000);
            HttpsURLConnection connection = (HttpsURLConnection) new URL(args[0]).openConnection();
            connection.setConnectTimeout(timeout);
            connection.setReadTimeout(timeout);
            int status = connection.getResponseCode();
            if (status == 407) {
                // The proxy refused the tunnel: no TLS handshake happened at all.
                System.err.println("Proxy tunneling failed: HTTP 407 Proxy Authentication Required");
                System.exit(1);
            }
            System.out.println("HTTP " + status);
            System.exit(0);
        } catch (Exception err) {
            System.err.println(err.toString());
            Throwable cause = err.getCause();
            while (cause != null) {
                System.err.println("Caused by: " + cause.toString());
                cause = cause.getCause();
            }
            System.exit(1);
        }
    }
}
