"""JSON schemas for the KEDA objects in deploy/k8s (keda.sh/v1alpha1).

kubernetes-validate has no schemas for custom resources and passes them silently, so the ScaledObject and
TriggerAuthentication are checked against these instead. They follow the KEDA 2.x CRDs for the fields this
project uses and are stricter where that catches mistakes: unknown fields are rejected, and the only
trigger allowed is the RabbitMQ scaler with the metadata it needs.
"""

from typing import Any

_METADATA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

_INT32 = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}

RABBITMQ_TRIGGER: dict[str, Any] = {
    "type": "object",
    "required": ["type", "metadata"],
    "additionalProperties": False,
    "properties": {
        "type": {"const": "rabbitmq"},
        "name": {"type": "string"},
        "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
        "useCachedMetrics": {"type": "boolean"},
        "metadata": {
            "type": "object",
            "required": ["queueName", "mode", "value"],
            # KEDA reads trigger metadata as a map of strings: a bare number here is rejected by the API.
            "additionalProperties": {"type": "string"},
            "properties": {
                "queueName": {"type": "string", "minLength": 1},
                "mode": {"enum": ["QueueLength", "MessageRate"]},
                "value": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
                "activationValue": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
                "protocol": {"enum": ["auto", "amqp", "http"]},
                "vhostName": {"type": "string"},
                "hostFromEnv": {"type": "string"},
                "host": {"type": "string"},
                "useRegex": {"enum": ["true", "false"]},
                "excludeUnacknowledged": {"enum": ["true", "false"]},
                "timeout": {"type": "string", "pattern": "^[0-9]+$"},
            },
            # The broker address is a credential: it must come from a TriggerAuthentication, not inline.
            "not": {"required": ["host"]},
        },
        "authenticationRef": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "kind": {"enum": ["TriggerAuthentication", "ClusterTriggerAuthentication"]},
            },
        },
    },
}

SCALED_OBJECT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "ScaledObject"},
        "metadata": _METADATA,
        "spec": {
            "type": "object",
            "required": ["scaleTargetRef", "triggers", "minReplicaCount", "maxReplicaCount"],
            "additionalProperties": False,
            "properties": {
                "scaleTargetRef": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "name": {"type": "string", "minLength": 1},
                        "envSourceContainerName": {"type": "string"},
                    },
                },
                "pollingInterval": _INT32,
                "cooldownPeriod": _INT32,
                "initialCooldownPeriod": _INT32,
                "idleReplicaCount": _INT32,
                "minReplicaCount": _INT32,
                "maxReplicaCount": {**_INT32, "minimum": 1},
                "fallback": {"type": "object"},
                "advanced": {"type": "object"},
                "triggers": {"type": "array", "minItems": 1, "items": RABBITMQ_TRIGGER},
            },
        },
    },
}

TRIGGER_AUTHENTICATION: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "TriggerAuthentication"},
        "metadata": _METADATA,
        "spec": {
            "type": "object",
            "required": ["secretTargetRef"],
            "additionalProperties": False,
            "properties": {
                "secretTargetRef": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["parameter", "name", "key"],
                        "additionalProperties": False,
                        "properties": {
                            "parameter": {"type": "string", "minLength": 1},
                            "name": {"type": "string", "minLength": 1},
                            "key": {"type": "string", "minLength": 1},
                        },
                    },
                    # The RabbitMQ scaler takes the broker URL as its `host` parameter.
                    "contains": {"type": "object", "properties": {"parameter": {"const": "host"}}},
                },
            },
        },
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "ScaledObject": SCALED_OBJECT,
    "TriggerAuthentication": TRIGGER_AUTHENTICATION,
}
