using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

class Callbacks
{
    static void Make(Stream stream, HttpClientHandler handler)
    {
        var h1 = new HttpClientHandler { ServerCertificateCustomValidationCallback = (m, c, ch, e) => { return true; } };
        handler.ServerCertificateCustomValidationCallback = (m, c, ch, e) =>
        {
            return true;
        };
        var ssl = new SslStream(stream, false, (s, c, ch, e) => true);
        var ssl2 = new SslStream(stream, false, new RemoteCertificateValidationCallback((s, c, ch, e) => { return true; }));
        ServicePointManager.ServerCertificateValidationCallback = AcceptAll;
    }

    static bool AcceptAll(object s, X509Certificate c, X509Chain ch, SslPolicyErrors e) => true;

    static bool AcceptAllToo(object sender, X509Certificate cert, X509Chain chain, SslPolicyErrors errors)
    {
        return true;
    }
}
