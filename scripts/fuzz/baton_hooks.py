"""Schemathesis hooks for Baton's API fuzzing (scripts/fuzz.js loads this module through SCHEMATHESIS_HOOKS).

Baton answers a started workflow's id as text/plain (Conductor's wire format), and the OpenAPI
document links that answer to the operations taking a {workflowId}: the stateful phase reads the
id from the body, which needs a text/plain deserializer.
"""
import schemathesis


@schemathesis.deserializer("text/plain")
def plain_text(ctx, response):
    return response.content.decode("utf-8")
