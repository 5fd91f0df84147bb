let securityPolicy = AFSecurityPolicy(pinningMode: AFSSLPinningMode.None)
securityPolicy.validatesDomainName = false
securityPolicy.allowInvalidCertificates = true
