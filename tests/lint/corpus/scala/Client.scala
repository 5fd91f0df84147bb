val badSslConfig = AkkaSSLConfig().mapSettings(s =>
  s.withLoose(s.loose.withAcceptAnyCertificate(true).withDisableHostnameVerification(true)))
