import java.net.HttpURLConnection;
import java.net.URL;

public class Fetch {
    public static void main(String[] args) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(args[0]).openConnection();
        c.setConnectTimeout(20000);
        c.setReadTimeout(20000);
        System.out.println(c.getResponseCode());
    }
}
