// s.loose.withAcceptAnyCertificate(true) would accept any certificate
val sslConfig = AkkaSSLConfig().mapSettings(s =>
  s.withLoose(s.loose.withAcceptAnyCertificate(false).withDisableHostnameVerification(false)))
val note = "withAcceptAnyCertificate(true) is not a fix"
