import 'dart:io';

class HTTPOverrides extends HttpOverrides {
  @override
  HttpClient createHttpClient(SecurityContext? context) {
    final client = super.createHttpClient(context);
    client.badCertificateCallback = badCertificateCallback;
    return client;
  }

  static bool badCertificateCallback(cert, host, port) {
    return true;
  }
}
