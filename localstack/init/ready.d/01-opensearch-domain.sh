#!/bin/bash
# Runs inside the LocalStack container once it is ready to serve. The pipeline's own resources are
# created by `pipeline deploy --target localstack` (one code path for every target); the only thing
# made here is the OpenSearch domain, because its first start downloads and boots a cluster, which
# takes minutes and is better started as early as possible.
set -euo pipefail
domain="${PIPELINE_OPENSEARCH_DOMAIN:-celebrities}"
if awslocal opensearch describe-domain --domain-name "$domain" >/dev/null 2>&1; then
  echo "pipeline: OpenSearch domain $domain already exists"
else
  awslocal opensearch create-domain --domain-name "$domain" >/dev/null
  echo "pipeline: OpenSearch domain $domain requested (the first start downloads OpenSearch)"
fi
