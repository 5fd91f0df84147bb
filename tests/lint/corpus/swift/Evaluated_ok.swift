import Foundation

final class PinningDelegate: NSObject, URLSessionDelegate {
    func urlSession(_ session: URLSession, didReceive challenge: URLAuthenticationChallenge, completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        guard let serverTrust = challenge.protectionSpace.serverTrust else {
            return completionHandler(.performDefaultHandling, nil)
        }
        var error: CFError?
        guard SecTrustEvaluateWithError(serverTrust, &error) else {
            return completionHandler(.cancelAuthenticationChallenge, nil)
        }
        completionHandler(.useCredential, URLCredential(trust: serverTrust))
    }
}

final class DefaultDelegate: NSObject, URLSessionDelegate {
    func urlSession(_ session: URLSession, didReceive challenge: URLAuthenticationChallenge, completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        // completionHandler(.useCredential, URLCredential(trust: challenge.protectionSpace.serverTrust!))
        completionHandler(.performDefaultHandling, nil)
    }
}

let note = "securityPolicy.allowInvalidCertificates = true is for tests only"
let policy = AFSecurityPolicy(pinningMode: .certificate)
policy.allowInvalidCertificates = false
policy.validatesDomainName = true
let manager = ServerTrustManager(evaluators: ["api.example.com": DefaultTrustEvaluator()])
