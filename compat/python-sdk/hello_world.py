"""Baton's run of the official Python SDK (conductor-python), written for engine/test/compat.

It makes the calls of the SDK's hello-world example, which is not shipped in the PyPI package: a
worker function registered with @worker_task and run by TaskHandler in its own processes, a
workflow built with ConductorWorkflow and registered without a task definition, then
WorkflowExecutor.execute, which starts it and waits for its result. The server comes from
CONDUCTOR_SERVER_URL, as for any user of the SDK. Prints the status and output as JSON on the
last line, and exits 0 only when the workflow completed.
"""
import json
import sys

from conductor.client.automator.task_handler import TaskHandler
from conductor.client.configuration.configuration import Configuration
from conductor.client.worker.worker_task import worker_task
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.executor.workflow_executor import WorkflowExecutor


@worker_task(task_definition_name='greet')
def greet(name: str) -> str:
    return f'Hello {name}'


def main() -> int:
    configuration = Configuration()
    executor = WorkflowExecutor(configuration=configuration)
    workflow = ConductorWorkflow(name='greetings', executor=executor)
    workflow.version = 1
    workflow >> greet(task_ref_name='greet_ref', name=workflow.input('name'))
    workflow.register(True)

    handler = TaskHandler(configuration=configuration)
    handler.start_processes()
    try:
        run = executor.execute(name=workflow.name, version=workflow.version,
                               workflow_input={'name': 'World'}, wait_for_seconds=60)
    finally:
        handler.stop_processes()
    print(json.dumps({'workflowId': run.workflow_id, 'status': run.status, 'output': run.output}))
    return 0 if run.status == 'COMPLETED' else 1


if __name__ == '__main__':
    sys.exit(main())
