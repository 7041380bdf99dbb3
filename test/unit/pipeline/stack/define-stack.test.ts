import { describe, expect, it } from "vitest";
import {
  CELEBRITY_RECORD_FILTER_PATTERN,
  FUNCTION_KEYS,
  HANDLER_ENV,
  StackParamsError,
  arns,
  defineStack,
  opensearchDomainName,
} from "../../../../src/pipeline/stack/index.js";
import type { Stack } from "../../../../src/pipeline/stack/index.js";
import { testStackParams } from "../../../helpers/stack-params.js";

const stack = defineStack(testStackParams());
const testStack = defineStack(testStackParams({ suffix: "-test" }));
const at = { account: "000000000000", region: "us-east-1" };

describe("defineStack: names", () => {
  it("uses the DESIGN.md names without a suffix", () => {
    expect(stack.names).toStrictEqual({
      suffix: "",
      table: "celebrity-database",
      queues: {
        scraperDlq: "celebrity-scraper-dlq",
        streamDlq: "celebrity-stream-dlq",
        indexSyncDlq: "celebrity-index-sync-dlq",
        "work-tmdb": "celebrity-scrape-tmdb",
        "work-wikipedia": "celebrity-scrape-wikipedia",
        "work-news": "celebrity-scrape-news",
        "work-social": "celebrity-scrape-social",
      },
      rules: { weekly: "celebrity-weekly-scrape", manual: "celebrity-manual-scrape" },
      roles: {
        scraper: "celebrity-scraper-role",
        "post-processor": "celebrity-post-processor-role",
        "index-sync": "celebrity-index-sync-role",
      },
      functions: {
        "scraper-tmdb": "scraper-tmdb",
        "scraper-wikipedia": "scraper-wikipedia",
        "scraper-news": "scraper-news",
        "scraper-social": "scraper-social",
        "post-processor": "post-processor",
        "index-sync": "index-sync",
      },
      alarm: "celebrity-scraper-failures",
      alarms: {
        scraperFailures: "celebrity-scraper-failures",
        scraperDlq: "celebrity-scraper-dlq-messages",
        streamDlq: "celebrity-stream-dlq-messages",
        indexSyncFailures: "celebrity-index-sync-failures",
      },
      topics: { alerts: "celebrity-pipeline-alerts" },
      parameters: {
        tmdb: "/celebrity-pipeline/tmdb/api-key",
        wikipedia: "/celebrity-pipeline/wikipedia/api-key",
        news: "/celebrity-pipeline/news/api-key",
        social: "/celebrity-pipeline/social/api-key",
      },
      index: "celebrities",
    });
  });

  it("appends the suffix to every name", () => {
    const all = (s: Stack) => [
      s.table.name,
      ...Object.values(s.queues).map((q) => q.name),
      ...Object.values(s.rules).map((r) => r.name),
      ...Object.values(s.roles).map((r) => r.name),
      ...Object.values(s.functions).map((f) => f.name),
      ...Object.values(s.alarms).map((a) => a.name),
      ...Object.values(s.topics).map((t) => t.name),
      s.index.name,
    ];
    expect(all(testStack)).toStrictEqual(all(stack).map((name) => `${name}-test`));
    expect(Object.values(testStack.logGroups).map((g) => g.name)).toContain("/aws/lambda/scraper-news-test");
  });

  it("is a pure function of its parameters", () => {
    expect(defineStack(testStackParams())).toStrictEqual(stack);
  });

  it("keeps every name within AWS limits for the longest allowed suffix", () => {
    const long = defineStack(testStackParams({ suffix: "-".padEnd(30, "x") }));
    for (const name of [
      ...Object.values(long.functions).map((f) => f.name),
      ...Object.values(long.roles).map((r) => r.name),
    ]) {
      expect(name.length).toBeLessThanOrEqual(64);
    }
    for (const permission of long.permissions)
      expect(permission.definition.StatementId.length).toBeLessThanOrEqual(100);
  });
});

describe("defineStack: table", () => {
  it("declares keys, both GSIs with ALL projection, on-demand billing and a NEW_AND_OLD_IMAGES stream", () => {
    expect(stack.table).toStrictEqual({
      name: "celebrity-database",
      arn: "arn:aws:dynamodb:us-east-1:000000000000:table/celebrity-database",
      definition: {
        TableName: "celebrity-database",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
          { AttributeName: "gsi1pk", AttributeType: "S" },
          { AttributeName: "gsi1sk", AttributeType: "S" },
          { AttributeName: "gsi2pk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "gsi1",
            KeySchema: [
              { AttributeName: "gsi1pk", KeyType: "HASH" },
              { AttributeName: "gsi1sk", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
          {
            IndexName: "gsi2",
            KeySchema: [{ AttributeName: "gsi2pk", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
        ],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      },
    });
  });
});

describe("defineStack: functions", () => {
  it("declares six nodejs22.x functions with a bundler entry", () => {
    expect(FUNCTION_KEYS).toHaveLength(6);
    for (const fn of Object.values(stack.functions)) {
      expect(fn.definition.Runtime).toBe("nodejs22.x");
      expect(fn.definition.Handler).toBe("index.handler");
      expect(fn.entry.outfile).toBe("index.mjs");
      expect(fn.definition.Role).toBe(stack.roles[fn.roleKey].arn);
      expect(fn.logGroupName).toBe(`/aws/lambda/${fn.name}`);
    }
    expect(stack.functions["scraper-news"].entry.module).toBe("src/pipeline/handlers/scrape.ts");
    expect(stack.functions["post-processor"].entry.module).toBe("src/pipeline/handlers/post-process.ts");
    expect(stack.functions["index-sync"].entry.module).toBe("src/pipeline/handlers/index-sync.ts");
  });

  it("gives each scraper its source's environment", () => {
    expect(stack.functions["scraper-tmdb"].definition.Environment.Variables).toStrictEqual({
      [HANDLER_ENV.logLevel]: "INFO",
      [HANDLER_ENV.serviceName]: "scraper-tmdb",
      [HANDLER_ENV.tableName]: "celebrity-database",
      [HANDLER_ENV.sourceName]: "tmdb",
      [HANDLER_ENV.sourceBaseUrl]: "http://127.0.0.1:4599/tmdb/3",
      [HANDLER_ENV.sourceRateLimit]: "20",
      [HANDLER_ENV.httpTimeoutMs]: "10000",
      // The parameter's name, never the key (the params hold one: config's apiKey is not deployed).
      [HANDLER_ENV.sourceApiKeyParameter]: "/celebrity-pipeline/tmdb/api-key",
      // Planner and workers: the work queue, shard size, the workers' bound and the queue's receives.
      [HANDLER_ENV.workQueueName]: "celebrity-scrape-tmdb",
      [HANDLER_ENV.shardSize]: "25",
      [HANDLER_ENV.workerConcurrency]: "10",
      [HANDLER_ENV.workMaxReceiveCount]: "5",
      [HANDLER_ENV.shardLeaseSeconds]: "60",
      [HANDLER_ENV.shardRetrySeconds]: "30",
    });
    const wikipedia = stack.functions["scraper-wikipedia"].definition.Environment.Variables;
    expect(wikipedia[HANDLER_ENV.sourceAuxBaseUrl]).toBe("http://127.0.0.1:4599/wikimedia/api/rest_v1");
    expect(wikipedia[HANDLER_ENV.sourceApiKeyParameter]).toBe("/celebrity-pipeline/wikipedia/api-key");
    for (const fn of Object.values(stack.functions)) {
      expect(fn.definition.Environment.Variables[HANDLER_ENV.sourceApiKey]).toBeUndefined();
      expect(JSON.stringify(fn.definition)).not.toContain("tmdb-secret-token");
    }
    expect(stack.functions["scraper-news"].definition.Environment.Variables[HANDLER_ENV.httpTimeoutMs]).toBe(
      "15000",
    );
  });

  it("gives the stream functions only what they need", () => {
    expect(stack.functions["post-processor"].definition.Environment.Variables).toStrictEqual({
      [HANDLER_ENV.logLevel]: "INFO",
      [HANDLER_ENV.serviceName]: "post-processor",
      [HANDLER_ENV.tableName]: "celebrity-database",
    });
    expect(testStack.functions["index-sync"].definition.Environment.Variables).toStrictEqual({
      [HANDLER_ENV.logLevel]: "INFO",
      [HANDLER_ENV.serviceName]: "index-sync-test",
      [HANDLER_ENV.opensearchEndpoint]: "http://127.0.0.1:4566/opensearch/us-east-1/celebrities",
      [HANDLER_ENV.opensearchIndex]: "celebrities-test",
      [HANDLER_ENV.opensearchMaxAttempts]: "4",
    });
  });

  it("uses only registered environment variable names", () => {
    const registered = new Set<string>(Object.values(HANDLER_ENV));
    for (const fn of Object.values(stack.functions)) {
      for (const name of Object.keys(fn.definition.Environment.Variables)) expect(registered).toContain(name);
    }
  });
});

describe("defineStack: every asynchronous edge has retries and a dead-letter destination", () => {
  const scraperDlqArn = "arn:aws:sqs:us-east-1:000000000000:celebrity-scraper-dlq";
  const streamDlqArn = "arn:aws:sqs:us-east-1:000000000000:celebrity-stream-dlq";
  const indexSyncDlqArn = "arn:aws:sqs:us-east-1:000000000000:celebrity-index-sync-dlq";

  it("scrapers: Lambda async retries 2, max age, on-failure destination and DLQ", () => {
    for (const fn of Object.values(stack.functions).filter((f) => f.kind === "scraper")) {
      expect(fn.eventInvokeConfig).toStrictEqual({
        FunctionName: fn.name,
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: scraperDlqArn } },
      });
      expect(fn.definition.DeadLetterConfig).toStrictEqual({ TargetArn: scraperDlqArn });
    }
    expect(stack.functions["post-processor"].eventInvokeConfig).toBeUndefined();
  });

  it("rules: four scraper targets with retry policy, DLQ and no RoleArn", () => {
    for (const rule of Object.values(stack.rules)) {
      expect(rule.targets.map((t) => t.Id)).toStrictEqual([
        "scraper-tmdb",
        "scraper-wikipedia",
        "scraper-news",
        "scraper-social",
      ]);
      for (const target of rule.targets) {
        expect(target).toStrictEqual({
          Id: target.Id,
          Arn: `arn:aws:lambda:us-east-1:000000000000:function:${target.Id}`,
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
          DeadLetterConfig: { Arn: scraperDlqArn },
        });
      }
    }
  });

  it("stream mappings: bounded retries, bisect, partial batch responses, on-failure queue", () => {
    for (const mapping of Object.values(stack.eventSourceMappings)) {
      expect(mapping.streamOfTable).toBe("celebrity-database");
      expect(mapping.definition).toStrictEqual({
        FunctionName: mapping.functionKey,
        Enabled: true,
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        StartingPosition: "LATEST",
        ParallelizationFactor: 1,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 21600,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        FilterCriteria: {
          Filters: [{ Pattern: '{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"CELEB#"}]}}}}' }],
        },
        DestinationConfig: {
          OnFailure: { Destination: mapping.key === "index-sync" ? indexSyncDlqArn : streamDlqArn },
        },
      });
    }
    expect(JSON.parse(CELEBRITY_RECORD_FILTER_PATTERN)).toStrictEqual({
      dynamodb: { Keys: { pk: { S: [{ prefix: "CELEB#" }] } } },
    });
  });

  it("queues keep messages 7 days; the scraper DLQ lets only this stack's rules write", () => {
    expect(stack.queues.scraperDlq.definition.Attributes?.MessageRetentionPeriod).toBe("604800");
    expect(stack.queues.streamDlq.definition.Attributes).toStrictEqual({ MessageRetentionPeriod: "604800" });
    const policy = JSON.parse(stack.queues.scraperDlq.definition.Attributes?.Policy ?? "{}");
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: "events.amazonaws.com" },
      Action: ["sqs:SendMessage"],
      Resource: [scraperDlqArn],
      Condition: { ArnEquals: { "aws:SourceArn": [stack.rules.weekly.arn, stack.rules.manual.arn] } },
    });
  });
});

describe("defineStack: work queues", () => {
  it.each(["tmdb", "wikipedia", "news", "social"] as const)(
    "celebrity-scrape-%s: six times the scraper timeout invisible, then the scraper DLQ after 5 receives",
    (source) => {
      const queue = stack.workQueues[source];
      expect(queue).toBe(stack.queues[`work-${source}`]);
      expect(queue).toMatchObject({ purpose: "work", source, name: `celebrity-scrape-${source}` });
      expect(queue.arn).toBe(arns.queueArn(at, `celebrity-scrape-${source}`));
      const attributes = queue.definition.Attributes ?? {};
      const timeout = stack.functions[`scraper-${source}`].definition.Timeout;
      expect(Number(attributes.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * timeout);
      expect(JSON.parse(attributes.RedrivePolicy ?? "{}")).toStrictEqual({
        deadLetterTargetArn: stack.queues.scraperDlq.arn,
        maxReceiveCount: 5,
      });
      // The DLQ keeps messages longer than the queue feeding it: SQS keeps the enqueue time.
      expect(Number(attributes.MessageRetentionPeriod)).toBeLessThan(
        Number(stack.queues.scraperDlq.definition.Attributes?.MessageRetentionPeriod),
      );
    },
  );

  it("the failure queues are failure queues; a work queue is created after the DLQ it redrives to", () => {
    expect(stack.queues.scraperDlq).toMatchObject({ purpose: "failure", source: undefined });
    const dlqId = `queue:${stack.queues.scraperDlq.name}`;
    const order = stack.resourceOrder.map((ref) => ref.id);
    for (const queue of Object.values(stack.workQueues)) {
      const ref = stack.resourceOrder.find((r) => r.id === `queue:${queue.name}`);
      expect(ref?.dependsOn).toStrictEqual([dlqId]);
      expect(order.indexOf(ref!.id)).toBeGreaterThan(order.indexOf(dlqId));
    }
  });

  it("refuses a shard size or worker bound outside the allowed ranges", () => {
    for (const [shardSize, workerConcurrency] of [
      [201, 2],
      [1.5, 2],
      [25, 1001],
      [25, 2.5],
    ] as const) {
      const params = testStackParams();
      params.sources.tmdb = { ...params.sources.tmdb, shardSize, workerConcurrency };
      expect(() => defineStack(params)).toThrow(StackParamsError);
    }
    const edges = testStackParams();
    edges.sources.tmdb = { ...edges.sources.tmdb, shardSize: 200, workerConcurrency: 2 };
    edges.sources.news = { ...edges.sources.news, shardSize: 1, workerConcurrency: 1000 };
    expect(() => defineStack(edges)).not.toThrow();
  });
});

describe("defineStack: worker mappings", () => {
  it.each(["tmdb", "wikipedia", "news", "social"] as const)(
    "scraper-%s on its work queue: one shard per invocation, partial failures, MaximumConcurrency = workerConcurrency",
    (source) => {
      const mapping = stack.workerMappings[source];
      expect(mapping.definition).toStrictEqual({
        FunctionName: `scraper-${source}`,
        EventSourceArn: stack.workQueues[source].arn,
        Enabled: true,
        BatchSize: 1,
        MaximumBatchingWindowInSeconds: 0,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 10 },
      });
      const ref = stack.resourceOrder.find((r) => r.id === `worker-mapping:scraper-${source}`);
      expect(ref?.dependsOn).toStrictEqual([
        `function:scraper-${source}`,
        `queue:celebrity-scrape-${source}`,
      ]);
    },
  );

  it("takes each source's bound from its parameters", () => {
    const params = testStackParams();
    params.sources.news = { ...params.sources.news, workerConcurrency: 2 };
    expect(defineStack(params).workerMappings.news.definition.ScalingConfig).toStrictEqual({
      MaximumConcurrency: 2,
    });
  });
});

describe("defineStack: rules and permissions", () => {
  it("weekly rule: the Sunday 02:00 UTC cron, created DISABLED", () => {
    expect(stack.rules.weekly.definition).toStrictEqual({
      Name: "celebrity-weekly-scrape",
      EventBusName: "default",
      ScheduleExpression: "cron(0 2 ? * SUN *)",
      State: "DISABLED",
      Description: expect.any(String),
    });
  });

  it("manual rule: matches the custom event and is ENABLED", () => {
    expect(stack.rules.manual.definition.State).toBe("ENABLED");
    expect(stack.rules.manual.definition.ScheduleExpression).toBeUndefined();
    expect(JSON.parse(stack.rules.manual.definition.EventPattern ?? "")).toStrictEqual({
      source: ["celebrity.pipeline"],
      "detail-type": ["ManualScrapeRequested"],
    });
  });

  it("grants events.amazonaws.com invoke per rule per scraper, scoped to the rule ARN", () => {
    expect(stack.permissions).toHaveLength(8);
    for (const permission of stack.permissions) {
      expect(permission.definition).toMatchObject({
        Action: "lambda:InvokeFunction",
        Principal: "events.amazonaws.com",
        SourceArn: stack.rules[permission.ruleKey].arn,
        SourceAccount: "000000000000",
        FunctionName: stack.functions[permission.functionKey].name,
      });
    }
    expect(new Set(stack.permissions.map((p) => p.id)).size).toBe(8);
  });
});

describe("defineStack: IAM", () => {
  const allowed = (s: Stack): Set<string> =>
    new Set([
      s.table.arn,
      arns.tableStreamsArnPattern(at, s.table.name),
      ...Object.values(s.queues).map((q) => q.arn),
      ...Object.values(s.logGroups).map((g) => `${g.arn}:*`),
      `${s.index.domainArn}/*`,
      ...Object.values(s.names.parameters).map((name) => arns.parameterArn(at, name)),
    ]);

  it.each([
    ["", stack],
    ["-test", testStack],
  ])("policies (suffix %j) reference only the stack's own resources", (_suffix, s) => {
    const stackResources = allowed(s);
    for (const role of Object.values(s.roles)) {
      for (const statement of role.inlinePolicies.flatMap((p) => p.document.Statement)) {
        for (const resource of statement.Resource ?? []) {
          if (resource === "*") {
            expect(statement.Action).toStrictEqual(["dynamodb:ListStreams"]);
          } else {
            expect(stackResources).toContain(resource);
          }
        }
      }
    }
  });

  it("grants each role exactly its actions", () => {
    const actions = (key: keyof Stack["roles"]) =>
      stack.roles[key].inlinePolicies.flatMap((p) => p.document.Statement.flatMap((s) => s.Action)).sort();
    expect(actions("scraper")).toStrictEqual(
      [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
        "sqs:SendMessage",
        "ssm:GetParameter",
      ].sort(),
    );
    expect(actions("post-processor")).toStrictEqual(
      [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "dynamodb:UpdateItem",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sqs:SendMessage",
      ].sort(),
    );
    expect(actions("index-sync")).toContain("es:ESHttpPost");
    expect(actions("index-sync")).not.toContain("dynamodb:UpdateItem");
  });

  it("lets the scraper role read only the sources' key parameters, and no other role read any", () => {
    const reads = stack.roles.scraper.inlinePolicies
      .flatMap((p) => p.document.Statement)
      .filter((statement) => statement.Action.some((action) => action.startsWith("ssm:")));
    expect(reads).toStrictEqual([
      {
        Sid: "ReadOwnSourceKeys",
        Effect: "Allow",
        Action: ["ssm:GetParameter"],
        Resource: ["tmdb", "wikipedia", "news", "social"].map(
          (source) => `arn:aws:ssm:us-east-1:000000000000:parameter/celebrity-pipeline/${source}/api-key`,
        ),
      },
    ]);
    for (const key of ["post-processor", "index-sync"] as const) {
      const actions = stack.roles[key].inlinePolicies.flatMap((p) =>
        p.document.Statement.flatMap((s) => s.Action),
      );
      expect(actions.filter((action) => action.startsWith("ssm:") || action.startsWith("kms:"))).toEqual([]);
    }
  });

  it("lets each role write only its own functions' log groups", () => {
    const logs = stack.roles["post-processor"].inlinePolicies[0]?.document.Statement.find(
      (s) => s.Sid === "WriteOwnLogs",
    );
    expect(logs?.Resource).toStrictEqual([
      "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/post-processor:*",
    ]);
    const scraperLogs = stack.roles.scraper.inlinePolicies[0]?.document.Statement.find(
      (s) => s.Sid === "WriteOwnLogs",
    );
    expect(scraperLogs?.Resource).toHaveLength(4);
  });

  it("roles trust lambda.amazonaws.com without a Resource field", () => {
    for (const role of Object.values(stack.roles)) {
      expect(JSON.parse(role.definition.AssumeRolePolicyDocument ?? "")).toStrictEqual({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["sts:AssumeRole"] },
        ],
      });
    }
  });
});

describe("defineStack: observability and index", () => {
  it("log groups carry the configured retention", () => {
    expect(Object.values(stack.logGroups).map((g) => [g.name, g.retentionInDays])).toStrictEqual(
      FUNCTION_KEYS.map((key) => [`/aws/lambda/${key}`, 14]),
    );
  });

  it("alarm: Errors / Sum / 300 s / >= 3 / 1 period, summed over the four scrapers", () => {
    const alarm = stack.alarm.definition;
    expect(alarm).toMatchObject({
      AlarmName: "celebrity-scraper-failures",
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 3,
      EvaluationPeriods: 1,
      TreatMissingData: "notBreaching",
    });
    const stats = (alarm.Metrics ?? []).filter((m) => m.MetricStat !== undefined);
    expect(stats.map((m) => m.MetricStat?.Metric?.Dimensions?.[0]?.Value)).toStrictEqual([
      "scraper-tmdb",
      "scraper-wikipedia",
      "scraper-news",
      "scraper-social",
    ]);
    for (const m of stats) {
      expect(m.MetricStat).toMatchObject({
        Metric: { Namespace: "AWS/Lambda", MetricName: "Errors" },
        Period: 300,
        Stat: "Sum",
      });
    }
    expect(alarm.Metrics?.at(-1)).toStrictEqual({
      Id: "scraper_errors",
      Expression: "SUM([errors_tmdb,errors_wikipedia,errors_news,errors_social])",
      Label: "Scraper errors",
      ReturnData: true,
    });
  });

  it("index: the section 9 mappings and the domain from the endpoint", () => {
    expect(stack.index.name).toBe("celebrities");
    expect(stack.index.domainName).toBe("celebrities");
    expect(stack.index.body.mappings.properties).toMatchObject({
      name: { type: "text", fields: { keyword: { type: "keyword" } } },
      source: { type: "keyword" },
      weight: { type: "float" },
      sentiment: { type: "keyword" },
      timestamp: { type: "date" },
    });
  });
});

describe("defineStack: resource order", () => {
  it("lists every resource once, each after what it depends on", () => {
    const seen = new Set<string>();
    for (const ref of stack.resourceOrder) {
      expect(seen.has(ref.id)).toBe(false);
      for (const dep of ref.dependsOn) expect(seen).toContain(dep);
      seen.add(ref.id);
    }
    const count = (kind: string) => stack.resourceOrder.filter((r) => r.kind === kind).length;
    expect([
      count("queue"),
      count("topic"),
      count("role"),
      count("table"),
      count("log-group"),
      count("function"),
      count("event-invoke-config"),
      count("permission"),
      count("rule"),
      count("event-source-mapping"),
      count("worker-mapping"),
      count("alarm"),
      count("opensearch-index"),
    ]).toStrictEqual([7, 1, 3, 1, 6, 6, 4, 8, 2, 2, 4, 4, 1]);
  });

  it("follows the kind order queues → … → index", () => {
    const kinds = [...new Set(stack.resourceOrder.map((r) => r.kind))];
    expect(kinds).toStrictEqual([
      "queue",
      "topic",
      "role",
      "table",
      "log-group",
      "function",
      "event-invoke-config",
      "permission",
      "rule",
      "event-source-mapping",
      "worker-mapping",
      "alarm",
      "opensearch-index",
    ]);
  });
});

describe("defineStack: parameters", () => {
  it("names every invalid parameter", () => {
    const params = testStackParams({
      suffix: "bad suffix!",
      account: "123",
      region: "mars",
      logRetentionDays: 10,
    });
    params.sources.news = { baseUrl: "ftp://x", rateLimitPerSecond: 0, shardSize: 0, workerConcurrency: 1 };
    expect(() => defineStack(params)).toThrow(StackParamsError);
    try {
      defineStack(params);
    } catch (error) {
      expect((error as StackParamsError).problems).toStrictEqual([
        'suffix may contain only letters, digits and "-" (got "bad suffix!")',
        "account must be a 12-digit AWS account id",
        'region must look like us-east-1 (got "mars")',
        "sources.news.baseUrl must be an http(s) URL",
        "sources.news.rateLimitPerSecond must be a number > 0",
        "sources.news.shardSize must be an integer from 1 to 200 (got 0)",
        "sources.news.workerConcurrency must be an integer from 2 to 1000, the range of a mapping's ScalingConfig.MaximumConcurrency (got 1)",
        expect.stringMatching(/^logRetentionDays must be one of 1, 3, 5, 7, 14/),
      ]);
    }
  });

  it("derives the OpenSearch domain from the endpoint kinds it knows", () => {
    expect(opensearchDomainName("https://search-celebs-abc123def456.eu-west-1.es.amazonaws.com", "x")).toBe(
      "celebs",
    );
    expect(opensearchDomainName("http://127.0.0.1:4566/opensearch/us-east-1/celebrities", "x")).toBe(
      "celebrities",
    );
    expect(
      opensearchDomainName("http://celebs.us-east-1.opensearch.localhost.localstack.cloud:4566", "x"),
    ).toBe("celebs");
    expect(opensearchDomainName("http://127.0.0.1:9200", "fallback")).toBe("fallback");
    expect(
      defineStack(
        testStackParams({ opensearch: { endpoint: "http://127.0.0.1:9200", index: "i", domainName: "d" } }),
      ).index.domainArn,
    ).toBe("arn:aws:es:us-east-1:000000000000:domain/d");
  });
});
