#!/bin/sh
# govc setups as published in vSphere how-tos and CI scripts ("export GOVC_INSECURE=1",
# "export GOVC_INSECURE=true"); govc lowercases the value.
export GOVC_URL="https://vcenter.example.com"
export GOVC_INSECURE=1
GOVC_INSECURE=TRUE govc about
