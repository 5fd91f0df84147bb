// The twin of LoggingCallbacks.cs: the callbacks log, then decide from the errors
// (dotnet/docs ValidateServerCertificate sample).
using System;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

static class CertPolicyOk
{
    public static bool ValidateServerCertificate(object sender, X509Certificate certificate, X509Chain chain, SslPolicyErrors sslPolicyErrors)
    {
        Console.WriteLine("Certificate error: {0}", sslPolicyErrors);
        return sslPolicyErrors == SslPolicyErrors.None;
    }

    static SocketsHttpHandler Handler()
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback =
            (sender, certificate, chain, errors) =>
            {
                Console.WriteLine($"  errors: {errors}");
                if (errors == SslPolicyErrors.None) { return true; }
                return false;
            };
        return handler;
    }
}
