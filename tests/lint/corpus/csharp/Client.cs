using System.Net;
using System.Net.Http;

class Client
{
    static HttpClient Make()
    {
        ServicePointManager.ServerCertificateValidationCallback += (sender, cert, chain, errors) => true;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        };
        var other = new HttpClientHandler { ServerCertificateCustomValidationCallback = (m, c, ch, e) => true };
        ServicePointManager.ServerCertificateValidationCallback = delegate { return true; };
        return new HttpClient(handler);
    }
}
