using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

class Callbacks
{
    // A callback written as (m, c, ch, e) => { return true; } would accept anything.
    static void Make(Stream stream, HttpClientHandler handler)
    {
        handler.ServerCertificateCustomValidationCallback = (m, c, ch, e) =>
        {
            return e == SslPolicyErrors.None;
        };
        var ssl = new SslStream(stream, false, (s, c, ch, e) => e == SslPolicyErrors.None);
        var plain = new SslStream(stream, false);
        ServicePointManager.ServerCertificateValidationCallback = Validate;
        var message = "never write SslStream(s, false, (a, b, c, d) => true)";
    }

    static bool Validate(object s, X509Certificate c, X509Chain ch, SslPolicyErrors e) => e == SslPolicyErrors.None;

    static bool IsEnabled(string feature)
    {
        return true;
    }
}
