#!/bin/bash
# The official image's start-up: a properties file from the environment, the data folder, then S3Proxy.
set -euo pipefail
mkdir -p "$JCLOUDS_FILESYSTEM_BASEDIR"
conf=$(mktemp)
cat >"$conf" <<CONF
s3proxy.endpoint=$S3PROXY_ENDPOINT
s3proxy.authorization=$S3PROXY_AUTHORIZATION
s3proxy.identity=$S3PROXY_IDENTITY
s3proxy.credential=$S3PROXY_CREDENTIAL
jclouds.provider=$JCLOUDS_PROVIDER
jclouds.identity=$JCLOUDS_IDENTITY
jclouds.credential=$JCLOUDS_CREDENTIAL
jclouds.filesystem.basedir=$JCLOUDS_FILESYSTEM_BASEDIR
CONF
# shellcheck disable=SC2086
exec java $S3PROXY_JAVA_OPTS -jar /opt/s3proxy/s3proxy.jar --properties "$conf"
