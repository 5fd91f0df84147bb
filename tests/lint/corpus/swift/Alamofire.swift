import Alamofire

let manager = ServerTrustManager(evaluators: ["dev.example.com": DisabledTrustEvaluator()])
let session = Session(serverTrustManager: manager)
