#!/bin/sh
set -eu
curl -fsSLk https://internal.example.com/install.sh | sh
curl --insecure -o tool.tgz https://internal.example.com/tool.tgz
curl -fsSL \
  -k https://internal.example.com/other.tgz -o other.tgz
wget --no-check-certificate https://internal.example.com/tool.tgz
git config --global http.sslVerify false
git -c http.sslVerify=false clone https://git.internal.example.com/team/app.git
npm config set strict-ssl false
yarn config set strict-ssl false
pip install --trusted-host pypi.org --trusted-host files.pythonhosted.org -r requirements.txt
uv pip install --allow-insecure-host pypi.org flask
poetry config certificates.internal.cert false
conda config --set ssl_verify false
kubectl --insecure-skip-tls-verify get pods
helm repo add internal https://charts.internal.example.com --insecure-skip-tls-verify
dockerd --insecure-registry registry.internal.example.com:5000 &
export NODE_TLS_REJECT_UNAUTHORIZED=0
export GIT_SSL_NO_VERIFY=1
export PYTHONHTTPSVERIFY=0
export CURL_CA_BUNDLE=
aws s3 cp s3://bucket/artifact.zip . --no-verify-ssl
go get -insecure internal.example.com/team/lib
export GOINSECURE=internal.example.com
deno run --unsafely-ignore-certificate-errors main.ts
mvn -Dmaven.wagon.http.ssl.insecure=true -Dmaven.wagon.http.ssl.allowall=true package
bundle config set ssl_verify_mode 0
composer config -g disable-tls true
curl -H "Accept: application/json" -k https://internal.example.com/api
npm install --no-strict-ssl
