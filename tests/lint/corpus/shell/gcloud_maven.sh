#!/bin/sh
gcloud config set auth/disable_ssl_validation True
export CLOUDSDK_AUTH_DISABLE_SSL_VALIDATION=true
mvn -B -Daether.connector.https.securityMode=insecure package
