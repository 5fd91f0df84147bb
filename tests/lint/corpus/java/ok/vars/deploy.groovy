// Jenkins shared library step: the commented-out lines of its script are not run.
def call(String target) {
    sh """
        # export NODE_TLS_REJECT_UNAUTHORIZED=0   (never: the CA comes from the bundle)
        #export GIT_SSL_NO_VERIFY=1
        export NODE_EXTRA_CA_CERTS="\$COMPANY_CA"
        npm run deploy -- --target ${target}
    """
}

def fetch(String url) {
    sh "curl -fsSL --cacert \$COMPANY_BUNDLE ${url} -o artifact.tgz"
    sh 'curl -ok https://internal.example.com/health'
    echo "If the download fails, do not add curl -k: run tlsdoctor fix on the agent"
}
