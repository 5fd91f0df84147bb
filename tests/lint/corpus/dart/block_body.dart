import 'dart:io';

class OverrideHttpCertificate extends HttpOverrides {
  @override
  HttpClient createHttpClient(SecurityContext? context) {
    return super.createHttpClient(context)
      ..badCertificateCallback =
          ((X509Certificate cert, String host, int port) {
        print('bad certificate for $host:$port');
        return true;
      });
  }
}
