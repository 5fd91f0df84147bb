import org.apache.http.ssl.SSLContexts
import org.apache.http.conn.ssl.TrustStrategy

val context = SSLContexts.custom().loadTrustMaterial(null) { _, _ -> true }.build()
val strategy = TrustStrategy { _, _ -> true }
