#!/bin/sh
gcloud config set core/custom_ca_certs_file /etc/ssl/company-bundle.pem
gcloud config set auth/disable_ssl_validation false
export CLOUDSDK_AUTH_DISABLE_SSL_VALIDATION=0
mvn -B -Daether.connector.https.securityMode=default package
