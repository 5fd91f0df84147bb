#!/bin/sh
set -eu
# Never curl -k: the bundle below holds the inspection CA.
# git config --global http.sslVerify false   <- what not to do
curl -fsSL --cacert /etc/ssl/company-bundle.pem https://internal.example.com/install.sh -o install.sh
curl -fsSL https://internal.example.com/a.tgz | tar -xzk
curl --keepalive-time 5 --proxy-cacert /etc/ssl/proxy-ca.pem https://example.com/
make -k all
wget --ca-certificate=/etc/ssl/company-bundle.pem https://internal.example.com/tool.tgz
git config --global http.sslCAInfo "$HOME/.local/share/tlsdoctor/bundle.pem"
git config --global http.sslVerify true
npm config set cafile "$HOME/.local/share/tlsdoctor/bundle.pem"
npm config set strict-ssl true
pip install --cert /etc/ssl/company-bundle.pem -r requirements.txt
conda config --set ssl_verify /etc/ssl/company-bundle.pem
conda config --set ssl_verify truststore
kubectl --certificate-authority=/etc/ssl/cluster-ca.pem get pods
kubectl --insecure-skip-tls-verify=false get pods
unset GIT_SSL_NO_VERIFY
env -u GIT_SSL_NO_VERIFY git pull
export NODE_TLS_REJECT_UNAUTHORIZED=1
export CURL_CA_BUNDLE=/etc/ssl/company-bundle.pem
aws s3 cp s3://bucket/artifact.zip . --ca-bundle /etc/ssl/company-bundle.pem
go get internal.example.com/team/lib
