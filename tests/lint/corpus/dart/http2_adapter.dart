import 'package:dio_http2_adapter/dio_http2_adapter.dart';

final adapter = Http2Adapter(ConnectionManager(
  onClientCreate: (url, setting) {
    setting.onBadCertificate = (cert) => true;
  },
));
