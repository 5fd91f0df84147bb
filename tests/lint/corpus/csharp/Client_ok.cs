using System.Net.Http;
using System.Net.Security;

class Client
{
    // DangerousAcceptAnyServerCertificateValidator would accept anything: we validate instead.
    static HttpClient Make()
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (message, cert, chain, errors) =>
                errors == SslPolicyErrors.None,
        };
        return new HttpClient(handler);
    }
}
