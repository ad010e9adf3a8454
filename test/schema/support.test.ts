/**
 * The schema validator itself (test/support/schema.ts): every route must accept what is valid and reject
 * what is not, or the schema tests built on it prove nothing.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { MANIFESTS } from "../../components/catalog/versions";
import { loadCrds } from "../../components/crds";
import { K8sObject } from "../../components/render/types";
import { closeObjects, crdFolders } from "../support/crd-schemas";
import { UNPINNED_KINDS, assertAllValid, assertValid, validateObject } from "../support/schema";

function clone<T>(v: T): T {
    return JSON.parse(JSON.stringify(v));
}

/** Errors must be present and one of them must match `pattern`. */
function assertRejected(obj: K8sObject, pattern: RegExp): void {
    const errors = validateObject(obj);
    assert.ok(errors.length > 0, `expected ${obj.kind} to be rejected`);
    assert.ok(errors.some((e) => pattern.test(e)), `no error matches ${pattern}: ${JSON.stringify(errors)}`);
}

const deployment = (): any => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "vllm", namespace: "llm-d", labels: { app: "vllm" } },
    spec: {
        replicas: 2,
        selector: { matchLabels: { app: "vllm" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        template: {
            metadata: { labels: { app: "vllm" } },
            spec: {
                containers: [
                    {
                        name: "vllm",
                        image: "vllm/vllm-openai:v0.27.1",
                        args: ["--port", "8000"],
                        ports: [{ containerPort: 8000, name: "http", protocol: "TCP" }],
                        resources: { limits: { "nvidia.com/gpu": 1, memory: "16Gi" }, requests: { cpu: "2" } },
                        readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 5 },
                        env: [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hf", key: "token" } } }],
                        volumeMounts: [{ name: "shm", mountPath: "/dev/shm" }],
                    },
                ],
                volumes: [{ name: "shm", emptyDir: { medium: "Memory", sizeLimit: "8Gi" } }],
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
            },
        },
    },
});

const inferencePool = (): any => ({
    apiVersion: "inference.networking.k8s.io/v1",
    kind: "InferencePool",
    metadata: { name: "qwen", namespace: "llm-d" },
    spec: {
        selector: { matchLabels: { "llm-d.ai/model": "qwen3" } },
        targetPorts: [{ number: 8000 }],
        endpointPickerRef: { name: "qwen-epp", port: { number: 9002 }, failureMode: "FailClose" },
    },
});

const httpRoute = (): any => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "qwen", namespace: "llm-d" },
    spec: {
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "inference-gateway", namespace: "gw" }],
        rules: [
            {
                matches: [{ path: { type: "PathPrefix", value: "/" } }],
                backendRefs: [{ group: "inference.networking.k8s.io", kind: "InferencePool", name: "qwen" }],
                timeouts: { request: "300s" },
            },
        ],
    },
});

const leaderWorkerSet = (): any => ({
    apiVersion: "leaderworkerset.x-k8s.io/v1",
    kind: "LeaderWorkerSet",
    metadata: { name: "ds", namespace: "llm-d" },
    spec: {
        replicas: 1,
        startupPolicy: "LeaderCreated",
        rolloutStrategy: { type: "RollingUpdate", rollingUpdateConfiguration: { maxSurge: 1, maxUnavailable: "50%" } },
        leaderWorkerTemplate: {
            size: 2,
            restartPolicy: "RecreateGroupOnPodRestart",
            workerTemplate: {
                metadata: { labels: { app: "ds" } },
                spec: {
                    containers: [
                        {
                            name: "vllm",
                            image: "vllm/vllm-openai:v0.27.1",
                            resources: { limits: { "nvidia.com/gpu": 8 } },
                            ports: [{ containerPort: 8000 }],
                        },
                    ],
                },
            },
        },
    },
});

describe("schema validator (test/support/schema.ts)", function () {
    // The first LeaderWorkerSet compiles a >1 MB CRD schema; everything after is cached.
    this.timeout(20000);

    describe("built-in kinds (kubernetes-models)", () => {
        it("accepts a valid Deployment, with int-or-string and quantity fields in both forms", () => {
            assert.deepStrictEqual(validateObject(deployment()), []);
        });

        it("rejects a wrong type (replicas: \"two\")", () => {
            const d = deployment();
            d.spec.replicas = "two";
            assertRejected(d, /^\/spec\/replicas: must be integer/);
        });

        it("rejects a missing required field (no containers)", () => {
            const d = deployment();
            delete d.spec.template.spec.containers;
            assertRejected(d, /^\/spec\/template\/spec: must have required property .?containers/);
        });

        it("rejects a bad enum value", () => {
            const d = deployment();
            d.spec.template.spec.containers[0].imagePullPolicy = "Sometimes";
            assertRejected(d, /imagePullPolicy: must be equal to one of the allowed values/);
        });

        it("rejects unknown fields at any depth, naming the path", () => {
            const d = deployment();
            d.spec.replica = 3;
            d.spec.template.spec.containers[0].resources.limit = { cpu: "1" };
            d.spec.template.spec.volumes[0].emptyDir.medum = "Memory";
            d.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.keys = "x";
            const errors = validateObject(d);
            for (const expected of [
                '/spec: unknown field "replica"',
                '/spec/template/spec/containers/0/resources: unknown field "limit"',
                '/spec/template/spec/volumes/0/emptyDir: unknown field "medum"',
                '/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef: unknown field "keys"',
            ]) {
                assert.ok(errors.includes(expected), `missing ${expected} in ${JSON.stringify(errors)}`);
            }
        });

        it("rejects unknown metadata fields but allows any label or annotation key", () => {
            const d = deployment();
            d.metadata.annotations = { "example.com/anything": "x" };
            assert.deepStrictEqual(validateObject(d), []);
            d.metadata.label = { a: "b" };
            assertRejected(d, /^\/metadata: unknown field "label"/);
        });

        it("requires metadata.name", () => {
            const d = deployment();
            delete d.metadata.name;
            assertRejected(d, /^\/metadata\/name: must be a non-empty string/);
        });

        it("validates the other built-in kinds llmd renders", () => {
            const objects: K8sObject[] = [
                { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "config.yaml": "a: 1" } },
                { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "Opaque", stringData: { token: "x" } },
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa" } },
                { apiVersion: "v1", kind: "Namespace", metadata: { name: "llm-d" } },
                {
                    apiVersion: "v1",
                    kind: "Service",
                    metadata: { name: "svc" },
                    spec: { selector: { app: "a" }, ports: [{ name: "grpc", port: 9002, targetPort: 9002, appProtocol: "http2" }] },
                },
                {
                    apiVersion: "v1",
                    kind: "PersistentVolumeClaim",
                    metadata: { name: "models" },
                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } } },
                },
                {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "Role",
                    metadata: { name: "r" },
                    rules: [{ apiGroups: ["inference.networking.k8s.io"], resources: ["inferencepools"], verbs: ["get", "watch", "list"] }],
                },
                {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "ClusterRoleBinding",
                    metadata: { name: "crb" },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "x" },
                    subjects: [{ kind: "ServiceAccount", name: "sa", namespace: "llm-d" }],
                },
                {
                    apiVersion: "policy/v1",
                    kind: "PodDisruptionBudget",
                    metadata: { name: "pdb" },
                    spec: { maxUnavailable: 1, selector: { matchLabels: { app: "a" } } },
                },
                {
                    apiVersion: "autoscaling/v2",
                    kind: "HorizontalPodAutoscaler",
                    metadata: { name: "hpa" },
                    spec: {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "vllm" },
                        minReplicas: 1,
                        maxReplicas: 4,
                        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
                    },
                },
                {
                    apiVersion: "batch/v1",
                    kind: "Job",
                    metadata: { name: "j" },
                    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } },
                },
            ];
            assertAllValid(objects);
            const bad = clone(objects[4]) as any;
            bad.spec.ports[0].port = "9002x";
            assertRejected(bad, /\/spec\/ports\/0\/port: must be integer/);
        });

        it("validates a vendored CustomResourceDefinition as an apiextensions.k8s.io/v1 object", () => {
            const [crd] = loadCrds(MANIFESTS.inferenceExtension);
            assert.deepStrictEqual(validateObject(crd), []);
            const bad = clone(crd) as any;
            bad.spec.scope = 5;
            bad.spec.names.plurals = "x";
            assertRejected(bad, /^\/spec\/scope: must be string/);
            assertRejected(bad, /^\/spec\/names: unknown field "plurals"/);
        });
    });

    describe("custom resources (pinned CRDs, ajv)", () => {
        it("accepts a valid InferencePool v1", () => {
            assert.deepStrictEqual(validateObject(inferencePool()), []);
        });

        it("rejects InferencePool endpointPickerRef.failureMode \"Sometimes\"", () => {
            const p = inferencePool();
            p.spec.endpointPickerRef.failureMode = "Sometimes";
            assertRejected(p, /^\/spec\/endpointPickerRef\/failureMode: must be equal to one of the allowed values \["FailOpen","FailClose"\]/);
        });

        it("rejects InferencePool wrong types, missing required fields, unknown fields and status", () => {
            const p = inferencePool();
            p.spec.targetPorts[0].number = "8000";
            assertRejected(p, /^\/spec\/targetPorts\/0\/number: must be integer/);
            const q = inferencePool();
            delete q.spec.selector;
            assertRejected(q, /^\/spec: must have required property 'selector'/);
            const r = inferencePool();
            r.spec.endpointPickerRef.portNumber = 9002;
            assertRejected(r, /^\/spec\/endpointPickerRef: unknown field "portNumber"/);
            const s = inferencePool();
            s.status = {};
            assertRejected(s, /^\/: unknown field "status"/);
        });

        it("rejects an unserved or unknown version of a pinned group", () => {
            const p = inferencePool();
            p.apiVersion = "inference.networking.k8s.io/v1alpha9";
            assertRejected(p, /no schema for inference\.networking\.k8s\.io\/v1alpha9\/InferencePool/);
        });

        it("checks custom resource metadata loosely: name required, labels are strings", () => {
            const p = inferencePool();
            p.metadata.annotations = { anything: "goes" };
            p.metadata.uid = "tolerated";
            assert.deepStrictEqual(validateObject(p), []);
            delete p.metadata.name;
            assertRejected(p, /^\/metadata: must have required property 'name'/);
            const q = inferencePool();
            q.metadata.labels = { n: 1 };
            assertRejected(q, /^\/metadata\/labels\/n: must be string/);
        });

        it("accepts an HTTPRoute whose backendRef is an InferencePool", () => {
            assert.deepStrictEqual(validateObject(httpRoute()), []);
        });

        it("rejects an HTTPRoute with a bad backendRef or unknown rule field", () => {
            const r = httpRoute();
            r.spec.rules[0].backendRefs[0].kind = "inference pool";
            assertRejected(r, /^\/spec\/rules\/0\/backendRefs\/0\/kind: must match pattern/);
            const s = httpRoute();
            s.spec.rules[0].timeout = "300s";
            assertRejected(s, /^\/spec\/rules\/0: unknown field "timeout"/);
        });

        it("accepts a Gateway, GatewayClass and ReferenceGrant", () => {
            assertAllValid([
                {
                    apiVersion: "gateway.networking.k8s.io/v1",
                    kind: "GatewayClass",
                    metadata: { name: "istio" },
                    spec: { controllerName: "istio.io/gateway-controller" },
                },
                {
                    apiVersion: "gateway.networking.k8s.io/v1",
                    kind: "Gateway",
                    metadata: { name: "inference-gateway", namespace: "gw" },
                    spec: {
                        gatewayClassName: "istio",
                        listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }],
                    },
                },
                {
                    apiVersion: "gateway.networking.k8s.io/v1beta1",
                    kind: "ReferenceGrant",
                    metadata: { name: "rg", namespace: "llm-d" },
                    spec: {
                        from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "gw" }],
                        to: [{ group: "inference.networking.k8s.io", kind: "InferencePool" }],
                    },
                },
            ]);
        });

        it("accepts a valid LeaderWorkerSet (int-or-string in both forms)", () => {
            assert.deepStrictEqual(validateObject(leaderWorkerSet()), []);
        });

        it("rejects an invalid LeaderWorkerSet", () => {
            const l = leaderWorkerSet();
            l.spec.leaderWorkerTemplate.size = "two";
            l.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].imagePullPolicy = 3;
            l.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].resource = {};
            l.spec.startupPolicy = "Whenever";
            const errors = validateObject(l);
            for (const pattern of [
                /^\/spec\/leaderWorkerTemplate\/size: must be integer/,
                /^\/spec\/leaderWorkerTemplate\/workerTemplate\/spec\/containers\/0\/imagePullPolicy: must be string/,
                /^\/spec\/leaderWorkerTemplate\/workerTemplate\/spec\/containers\/0: unknown field "resource"/,
                /^\/spec\/startupPolicy: must be equal to one of the allowed values/,
            ]) {
                assert.ok(errors.some((e) => pattern.test(e)), `no error matches ${pattern}: ${JSON.stringify(errors)}`);
            }
            const i = leaderWorkerSet();
            i.spec.rolloutStrategy.rollingUpdateConfiguration.maxSurge = true;
            assertRejected(i, /^\/spec\/rolloutStrategy\/rollingUpdateConfiguration\/maxSurge: must be integer/);
            const m = leaderWorkerSet();
            delete m.spec.leaderWorkerTemplate.workerTemplate.spec.containers;
            assertRejected(m, /^\/spec\/leaderWorkerTemplate\/workerTemplate\/spec: must have required property 'containers'/);
        });

        it("accepts an llm-d InferenceObjective and Kueue objects", () => {
            assertAllValid([
                {
                    apiVersion: "llm-d.ai/v1alpha2",
                    kind: "InferenceObjective",
                    metadata: { name: "critical", namespace: "llm-d" },
                    spec: { priority: 10, poolRef: { name: "qwen" } },
                },
                { apiVersion: "kueue.x-k8s.io/v1beta2", kind: "LocalQueue", metadata: { name: "q", namespace: "llm-d" }, spec: { clusterQueue: "cq" } },
            ]);
            assertRejected(
                { apiVersion: "llm-d.ai/v1alpha2", kind: "InferenceObjective", metadata: { name: "x" }, spec: { priority: "high", poolRef: { name: "qwen" } } },
                /^\/spec\/priority: must be integer/,
            );
        });
    });

    describe("closing CRD schemas (unknown fields)", () => {
        it("closes objects that list properties, everywhere but in preserve-unknown-fields nodes and junctor branches", () => {
            const schema: any = {
                type: "object",
                properties: {
                    spec: {
                        type: "object",
                        properties: { a: { type: "string" } },
                        oneOf: [{ properties: { a: { minLength: 1 } } }],
                    },
                    free: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { nested: { type: "object", properties: { b: {} } } } },
                    labels: { type: "object", additionalProperties: { type: "object", properties: { c: {} } } },
                    list: { type: "array", items: { type: "object", properties: { d: {} } } },
                    opaque: { type: "object" },
                    port: { "x-kubernetes-int-or-string": true },
                },
            };
            closeObjects(schema);
            assert.strictEqual(schema.additionalProperties, false);
            assert.strictEqual(schema.properties.spec.additionalProperties, false);
            assert.strictEqual(schema.properties.spec.oneOf[0].additionalProperties, undefined);
            assert.strictEqual(schema.properties.free.additionalProperties, undefined);
            assert.strictEqual(schema.properties.free.properties.nested.additionalProperties, false);
            assert.strictEqual(schema.properties.labels.additionalProperties.additionalProperties, false);
            assert.strictEqual(schema.properties.list.items.additionalProperties, false);
            assert.strictEqual(schema.properties.opaque.additionalProperties, undefined);
            assert.deepStrictEqual(schema.properties.port.anyOf, [{ type: "integer" }, { type: "string" }]);
        });
    });

    describe("routing and reporting", () => {
        it("reports kinds with no schema", () => {
            assert.deepStrictEqual(validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }), [
                "no schema for example.com/v1/Widget",
            ]);
            assert.deepStrictEqual(validateObject({ apiVersion: "apps/v1", kind: "Deploymnt", metadata: { name: "w" } }), [
                "no schema for apps/v1/Deploymnt",
            ]);
        });

        it("checks only the envelope of allow-listed unpinned kinds, each with a reason", () => {
            for (const [key, reason] of UNPINNED_KINDS) {
                assert.match(key, /^[a-z0-9.-]+\/v[0-9a-z]+\/[A-Z][A-Za-z]+$/);
                assert.ok(reason.length > 10, `${key} needs a reason`);
            }
            const dr: K8sObject = {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: { name: "epp", namespace: "llm-d" },
                spec: { host: "qwen-epp.llm-d.svc.cluster.local", trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } } },
            };
            assert.deepStrictEqual(validateObject(dr), []);
            assertRejected({ ...dr, metadata: { name: "" } }, /^\/metadata\/name: must be a non-empty string/);
            // Another version of an allow-listed kind is not allow-listed.
            assertRejected({ ...dr, apiVersion: "networking.istio.io/v1beta1" }, /^no schema for networking\.istio\.io\/v1beta1\/DestinationRule$/);
        });

        it("assertValid/assertAllValid throw with every error, naming kind and name", () => {
            assert.doesNotThrow(() => assertValid(deployment()));
            const d = deployment();
            d.spec.replicas = "two";
            d.spec.extra = true;
            const p = inferencePool();
            p.spec.endpointPickerRef.failureMode = "Sometimes";
            assert.throws(
                () => assertAllValid([inferencePool(), d, p]),
                (e: Error) =>
                    /2 of 3 object/.test(e.message) &&
                    e.message.includes("Deployment/llm-d/vllm (apps/v1)") &&
                    e.message.includes("/spec/replicas: must be integer") &&
                    e.message.includes('/spec: unknown field "extra"') &&
                    e.message.includes("InferencePool/llm-d/qwen (inference.networking.k8s.io/v1)") &&
                    e.message.includes("/spec/endpointPickerRef/failureMode"),
            );
        });
    });

    describe("pinned CRD sets", () => {
        it("every CRD folder in the project is an upstream set named in a SOURCES.md beside it", () => {
            const folders = crdFolders();
            assert.ok(folders.length >= 5, `found ${folders.join(", ")}`);
            for (const folder of folders) {
                const sources = fs.readFileSync(path.join(path.dirname(folder), "SOURCES.md"), "utf8");
                assert.ok(sources.includes(`| ${path.basename(folder)} |`), `${folder} is not listed in SOURCES.md`);
                for (const file of fs.readdirSync(folder)) {
                    // Top-level kinds by text: parsing the megabyte pod-template CRDs here would be slow.
                    const kinds = fs.readFileSync(path.join(folder, file), "utf8").match(/^kind: .*$/gm) ?? [];
                    assert.ok(kinds.length > 0 && kinds.every((k) => k === "kind: CustomResourceDefinition"), `${file} is not a CRD`);
                }
            }
        });
    });
});
