// Real accept-all callbacks that log before returning true: shendongnian/code
// code2/196948-3766535-1.cs (a Stack Overflow answer) and the dotnet runtime's
// SocketsHttpHandler sample, whose lambda logs each argument.
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

static class CertPolicy
{
    private static void SetCertificatePolicy()
    {
        ServicePointManager.ServerCertificateValidationCallback += ValidateRemoteCertificate;
    }

    private static bool ValidateRemoteCertificate(object sender, X509Certificate cert, X509Chain chain, SslPolicyErrors error)
    {
        Debug.WriteLine("Trusting X509Certificate '" + cert.Subject + "'");
        return true;
    }

    static SocketsHttpHandler Handler()
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback =
            (sender, certificate, chain, errors) =>
            {
                Console.WriteLine("Validation callback called.");
                Console.WriteLine($"  errors: {errors}");
                return true;
            };
        return handler;
    }
}
