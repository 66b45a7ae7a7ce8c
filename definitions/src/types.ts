import type { EvaluatorType, RetryLogic, TaskTimeoutPolicy, TaskType, WorkflowTimeoutPolicy } from './task-type';

/**
 * Shapes of definitions after validation, Conductor field names throughout. Fields that have a
 * default are required here because the validators always fill them in; the rest are optional.
 * Unknown fields a client sent (createTime, ownerApp...) are kept on the object but not typed.
 */

/** A worker task type's policy: retries, timeouts, rate and concurrency limits. */
export interface TaskDef {
  name: string;
  description?: string;
  retryCount: number;
  /** 0 means no limit on one attempt's total time. */
  timeoutSeconds: number;
  /** Limit across all attempts, retries included; 0 means none. */
  totalTimeoutSeconds: number;
  inputKeys?: string[];
  outputKeys?: string[];
  timeoutPolicy: TaskTimeoutPolicy;
  retryLogic: RetryLogic;
  retryDelaySeconds: number;
  backoffScaleFactor: number;
  /** Cap on the computed retry delay; 0 means uncapped. */
  maxRetryDelaySeconds: number;
  backoffJitterMs: number;
  /** How long a worker may hold a task without reporting before it is handed to another. */
  responseTimeoutSeconds: number;
  pollTimeoutSeconds: number;
  /** 0 means unlimited. */
  concurrentExecLimit: number;
  /** 0 means not rate limited. */
  rateLimitPerFrequency: number;
  rateLimitFrequencyInSeconds: number;
  inputTemplate?: Record<string, unknown>;
  ownerEmail?: string;
  executionNameSpace?: string;
  isolationGroupId?: string;
  /** Status changes of this type's tasks go to their workflow's listener targets (docs/alerts.md). */
  taskStatusListenerEnabled?: boolean;
  /** JSON Schema of the input, checked when an attempt is scheduled if `enforceSchema`. */
  inputSchema?: SchemaDef;
  /** JSON Schema of a COMPLETED report's output, checked when it arrives if `enforceSchema`. */
  outputSchema?: SchemaDef;
  /** Conductor's switch for both schemas; default false (the schemas are then documentation). */
  enforceSchema?: boolean;
}

/**
 * Conductor's SchemaDef. Baton enforces `type: 'JSON'` schemas carrying the JSON Schema itself in
 * `data` (docs/typed-tasks.md); others are kept as documentation, as Conductor keeps them.
 */
export interface SchemaDef {
  name: string;
  version: number;
  type: 'JSON' | 'AVRO' | 'PROTOBUF';
  data: Record<string, unknown>;
  externalRef?: string;
}

export interface SubWorkflowParams {
  name?: string;
  version?: number;
  /** An inline definition to run instead of a registered one (validated like any WorkflowDef). */
  workflowDefinition?: WorkflowDef;
  taskToDomain?: Record<string, string>;
}

/** One step of a workflow, possibly holding nested steps (SWITCH, FORK_JOIN, DO_WHILE). */
export interface WorkflowTask {
  name: string;
  taskReferenceName: string;
  type: TaskType;
  description?: string;
  inputParameters?: Record<string, unknown>;
  optional?: boolean;
  /** Overrides the task definition's retryCount for this step. */
  retryCount?: number;
  startDelay?: number;
  asyncComplete?: boolean;
  /** An inline TaskDef, used instead of the registered one; its name defaults to the step's name. */
  taskDefinition?: TaskDef;
  decisionCases?: Record<string, WorkflowTask[]>;
  defaultCase?: WorkflowTask[];
  caseValueParam?: string;
  caseExpression?: string;
  evaluatorType?: EvaluatorType;
  expression?: string;
  forkTasks?: WorkflowTask[][];
  joinOn?: string[];
  defaultExclusiveJoinTask?: string[];
  loopCondition?: string;
  loopOver?: WorkflowTask[];
  /** DO_WHILE over a list: an expression giving the list (one iteration per item). */
  items?: string;
  dynamicForkTasksParam?: string;
  dynamicForkTasksInputParamName?: string;
  dynamicTaskNameParam?: string;
  subWorkflowParam?: SubWorkflowParams;
  sink?: string;
  scriptExpression?: string;
}

export interface WorkflowDef {
  name: string;
  description?: string;
  version: number;
  tasks: WorkflowTask[];
  /** Names of the inputs the workflow expects. */
  inputParameters?: string[];
  outputParameters?: Record<string, unknown>;
  failureWorkflow?: string;
  schemaVersion: number;
  restartable: boolean;
  workflowStatusListenerEnabled?: boolean;
  /** Conductor's sink of its own listener: accepted and kept, Baton delivers to `statusListener` instead. */
  workflowStatusListenerSink?: string;
  /** Baton: where status changes of its runs (and of tasks whose definition enables it) go (docs/alerts.md). */
  statusListener?: StatusListener;
  ownerEmail?: string;
  timeoutPolicy: WorkflowTimeoutPolicy;
  /** 0 means no limit. */
  timeoutSeconds: number;
  variables?: Record<string, unknown>;
  inputTemplate?: Record<string, unknown>;
  /** Baton: named jq expressions over a run's state, answered by `GET /api/workflow/{id}/query/{name}`. */
  queries?: Record<string, string>;
  /** Baton: per-key flow control of runs (docs/flow-control.md). */
  flowControl?: FlowControl;
  /** Baton: the SDKs encode this workflow's payloads but these top-level fields (docs/payloads.md, "Codecs"). */
  payloadCodec?: PayloadCodecSpec;
}

/** Which fields stay readable by the engine (routing, SWITCH cases) when a codec encodes the rest. */
export interface PayloadCodecSpec {
  clearFields: string[];
}

/** Where a workflow's status changes are delivered (docs/alerts.md). */
export interface StatusListener {
  /** Webhooks registered with PUT /api/listeners/webhooks/{name}, by name. */
  webhooks?: string[];
  /** Publish each change on Baton's event bus as baton:workflow:<STATUS> / baton:task:<STATUS> (default true). */
  events?: boolean;
}

/**
 * Per-key flow control of a workflow's runs. Keys are templates over the run
 * ("${workflow.input.customerId}"), resolved when the run is started.
 */
export interface FlowControl {
  /** At most `limit` runs per key value at once; the others wait, FIFO per key. */
  concurrency?: Array<{ key: string; limit: number }>;
  /** Starts with the same key within `period` of each other fold into one run with the latest input. */
  debounce?: { key: string; period: string | number };
  /** At most `limit` runs per key value start per `period`; the others wait for the next window. */
  rateLimit?: { key: string; limit: number; period: string | number };
}

export interface ValidateWorkflowOptions {
  /** When given, SIMPLE steps without an inline taskDefinition must name a known task definition. */
  isKnownTaskDef?: (name: string) => boolean;
  /**
   * Expression roots the engine provides besides `workflow` and task references (the `env` of
   * ExpressionContext). Expressions with any other root are reported.
   */
  knownRoots?: readonly string[];
}
