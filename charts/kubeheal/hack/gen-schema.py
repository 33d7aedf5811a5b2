#!/usr/bin/env python3
"""Writes charts/kubeheal/values.schema.json (run after adding or changing a value)."""
import os, sys
import json
def s(t, d=None, **kw):
    r={"type":t}
    if d: r["description"]=d
    r.update(kw); return r
def obj(props, d=None, extra=False, **kw):
    r={"type":"object","properties":props,"additionalProperties":extra}
    if d: r["description"]=d
    r.update(kw); return r
anyobj=lambda d=None: {"type":"object", **({"description":d} if d else {})}
strmap=lambda d=None: {"type":"object","additionalProperties":{"type":"string"}, **({"description":d} if d else {})}
dur={"type":"string","pattern":"^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w|y))+$"}
pull={"type":"string","enum":["Always","IfNotPresent","Never"]}
image=lambda: obj({"repository":s("string",minLength=1),"tag":s("string"),"pullPolicy":pull})
resources={"type":"object","properties":{"requests":{"type":"object"},"limits":{"type":"object"}},"additionalProperties":False}
probe=obj({k:s("integer",minimum=0 if k=="initialDelaySeconds" else 1) for k in ["initialDelaySeconds","periodSeconds","timeoutSeconds","failureThreshold"]})
port=s("integer",minimum=1,maximum=65535)
dns=s("string",pattern="^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",maxLength=63)
schema={
 "$schema":"http://json-schema.org/draft-07/schema#",
 "title":"kubeheal chart values",
 "type":"object","additionalProperties":False,
 "properties":{
  "global":anyobj("Helm global values (unused by this chart)."),
  "nameOverride":s("string"),"fullnameOverride":s("string"),"commonLabels":strmap("Labels added to every resource."),
  "operator":obj({
    "replicas":s("integer","Operator replicas; more than one needs leader election.",minimum=0,maximum=10),
    "image":image(),"imagePullSecrets":s("array",items={"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}),
    "leaderElection":obj({"enabled":s("boolean"),"id":dns}),
    "watchNamespaces":s("array","Namespaces watched; empty = all.",items=dns,uniqueItems=True),
    "protectedNamespaces":s("array",items=dns,uniqueItems=True),
    "maxActionsPerHour":s("integer",minimum=1,maximum=10000),
    "prometheusURL":{"type":"string","pattern":"^(https?://.+)?$","description":"Prometheus HTTP API base URL; empty = default."},
    "agentAdminPort":port,
    "logFormat":s("string",enum=["text","json"]),"logLevel":s("string",enum=["debug","info","warn","error"]),
    "extraArgs":s("array",items={"type":"string"}),"extraEnv":s("array",items={"type":"object"}),
    "metricsPort":port,"healthPort":port,"resources":resources,
    "livenessProbe":probe,"readinessProbe":probe,
    "podAnnotations":strmap(),"podLabels":strmap(),"nodeSelector":strmap(),
    "tolerations":s("array",items={"type":"object"}),"affinity":anyobj(),"priorityClassName":s("string"),
    "podSecurityContext":anyobj("Pod securityContext."),"securityContext":anyobj("Container securityContext."),
    "service":obj({"type":s("string",enum=["ClusterIP","NodePort","LoadBalancer"]),"port":port}),
    "podDisruptionBudget":obj({"enabled":s("boolean"),
                               "maxUnavailable":{"type":["integer","string"],"pattern":"^[0-9]+%$","minimum":1},
                               "minAvailable":{"type":["integer","string"],"pattern":"^([0-9]+%)?$","minimum":0}}),
  }),
  "serviceAccount":obj({"create":s("boolean"),"name":s("string"),"annotations":strmap()}),
  "rbac":obj({"create":s("boolean"),"agentTokenSecretAccess":s("boolean")}),
  "agentToken":obj({"secretName":dns,"create":s("boolean"),"token":s("string","Fixed token; empty = generated.",pattern="^([A-Za-z0-9._~+/=-]{16,})?$"),"existingSecret":s("string")}),
  "monitoring":obj({
    "scrapeAnnotations":s("boolean"),
    "prometheusOperator":{"description":"auto, true or false","enum":["auto","true","false",True,False]},
    "labels":strmap(),
    "serviceMonitor":obj({"enabled":s("boolean"),"interval":dur}),
    "podMonitor":obj({"enabled":s("boolean"),"interval":dur,"namespaces":s("array",items=dns)}),
    "rules":obj({"enabled":s("boolean"),
                 "sloObjective":s("number","Percent of good requests.",exclusiveMinimum=0,exclusiveMaximum=100),
                 "errorRateThreshold":s("number",exclusiveMinimum=0,maximum=1),
                 "latencyP99Threshold":s("number",exclusiveMinimum=0),
                 "memoryGrowthBytesPerSecond":s("number",exclusiveMinimum=0),
                 "additionalAlertLabels":strmap()}),
  }),
  "dashboards":obj({"enabled":s("boolean"),"label":s("string",minLength=1),"labelValue":s("string"),"namespace":s("string"),"annotations":strmap()}),
  "samples":obj({
    "enabled":s("boolean"),
    "services":s("array",items={"type":"string","enum":["orders","payments","users"]},uniqueItems=True,minItems=1),
    "replicas":s("integer",minimum=1,maximum=50),
    "image":obj({"registry":s("string",pattern="^(.+/)?$"),"tag":s("string",minLength=1),"pullPolicy":pull}),
    "resources":resources,
    "agent":obj({"resources":resources}),
    "podDisruptionBudget":obj({"enabled":s("boolean"),"maxUnavailable":{"type":["integer","string"],"pattern":"^[0-9]+%$","minimum":1}}),
    "loadgen":obj({"enabled":s("boolean"),"replicas":s("integer",minimum=0,maximum=100),"rps":s("number",exclusiveMinimum=0),"mix":s("string",minLength=1),"extraArgs":s("array",items={"type":"string"}),"resources":resources}),
    "healingPolicies":obj({"enabled":s("boolean"),"dryRun":s("boolean")}),
  }),
  "prometheus":obj({"enabled":s("boolean"),"image":image(),"retention":dur,"scrapeInterval":dur,
                    "namespaces":s("array",items=dns),"resources":resources,"service":obj({"port":port})}),
 }}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "values.schema.json")
with open(out, "w") as f:
    f.write(json.dumps(schema, indent=2) + "\n")
