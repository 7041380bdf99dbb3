/**
 * Service-linked roles: the role name each AWS service uses (`AWSServiceRoleFor…`), whether it
 * takes a CustomSuffix, and the AWS managed policy it carries. IAM keeps such a role under
 * `/aws-service-role/<service>/`, trusts only that service, and refuses to let customers change it.
 */
export interface ServiceLinkedRoleSpec {
  roleName: string;
  suffixAllowed: boolean;
}

const SPECS: Record<string, ServiceLinkedRoleSpec> = {
  "access-analyzer.amazonaws.com": { roleName: "AWSServiceRoleForAccessAnalyzer", suffixAllowed: false },
  "autoscaling.amazonaws.com": { roleName: "AWSServiceRoleForAutoScaling", suffixAllowed: true },
  "backup.amazonaws.com": { roleName: "AWSServiceRoleForBackup", suffixAllowed: false },
  "batch.amazonaws.com": { roleName: "AWSServiceRoleForBatch", suffixAllowed: false },
  "cloudtrail.amazonaws.com": { roleName: "AWSServiceRoleForCloudTrail", suffixAllowed: false },
  "config.amazonaws.com": { roleName: "AWSServiceRoleForConfig", suffixAllowed: false },
  "dynamodb.application-autoscaling.amazonaws.com": {
    roleName: "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
    suffixAllowed: false,
  },
  "ec2fleet.amazonaws.com": { roleName: "AWSServiceRoleForEC2Fleet", suffixAllowed: false },
  "ecs.amazonaws.com": { roleName: "AWSServiceRoleForECS", suffixAllowed: false },
  "eks.amazonaws.com": { roleName: "AWSServiceRoleForAmazonEKS", suffixAllowed: false },
  "eks-nodegroup.amazonaws.com": { roleName: "AWSServiceRoleForAmazonEKSNodegroup", suffixAllowed: false },
  "elasticache.amazonaws.com": { roleName: "AWSServiceRoleForElastiCache", suffixAllowed: false },
  "elasticbeanstalk.amazonaws.com": { roleName: "AWSServiceRoleForElasticBeanstalk", suffixAllowed: false },
  "elasticloadbalancing.amazonaws.com": {
    roleName: "AWSServiceRoleForElasticLoadBalancing",
    suffixAllowed: false,
  },
  "es.amazonaws.com": { roleName: "AWSServiceRoleForAmazonElasticsearchService", suffixAllowed: false },
  "lexv2.amazonaws.com": { roleName: "AWSServiceRoleForLexV2Bots", suffixAllowed: true },
  "observability.aoss.amazonaws.com": {
    roleName: "AWSServiceRoleForAmazonOpenSearchServerless",
    suffixAllowed: false,
  },
  "opensearchservice.amazonaws.com": {
    roleName: "AWSServiceRoleForAmazonOpenSearchService",
    suffixAllowed: false,
  },
  "rds.amazonaws.com": { roleName: "AWSServiceRoleForRDS", suffixAllowed: false },
  "replicator.lambda.amazonaws.com": { roleName: "AWSServiceRoleForLambdaReplicator", suffixAllowed: false },
  "spot.amazonaws.com": { roleName: "AWSServiceRoleForEC2Spot", suffixAllowed: false },
  "ssm.amazonaws.com": { roleName: "AWSServiceRoleForAmazonSSM", suffixAllowed: false },
};

export function serviceLinkedRoleSpec(service: string): ServiceLinkedRoleSpec | undefined {
  return SPECS[service];
}

export function serviceLinkedServices(): string[] {
  return Object.keys(SPECS).sort();
}

export function serviceLinkedTrustPolicy(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: [service] }, Action: ["sts:AssumeRole"] }],
  });
}
