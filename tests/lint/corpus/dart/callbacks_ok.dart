import 'dart:io';

// Never ship this: ..badCertificateCallback = (cert, host, port) => true;
/* HttpOverrides.global with badCertificateCallback = (c, h, p) => true */
const warning = 'badCertificateCallback = (cert, host, port) => true turns checks off';
const doc = '''
  ..badCertificateCallback = (X509Certificate cert, String host, int port) => true;
''';

HttpClient pinned(String pin, bool allowSelfSigned) {
  return HttpClient()
    ..badCertificateCallback = (X509Certificate cert, String host, int port) => false;
}

HttpClient checked(bool allowBadCertificates) {
  return HttpClient()
    ..badCertificateCallback =
        ((X509Certificate cert, String host, int port) => allowBadCertificates);
}

bool isTrustedPin(X509Certificate cert, String host) {
  return cert.sha1.toString() == 'pinned';
}

bool isReady() => true;
