import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { EditorView } from '@codemirror/view';
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { saveWorkflowDef } from '../../api/actions';
import { useAbilities } from '../../api/auth';
import { ApiError } from '../../api/client';
import { useTaskDefs } from '../../api/queries';
import type { WorkflowDef } from '../../api/types';
import { announce } from '../../components/Announcer';
import { Dialog } from '../../components/Dialog';
import { ActionError } from '../../components/States';
import { CodeEditor, jumpTo } from '../../editor/CodeEditor';
import { checkWorkflowText, place, type Finding, type Format } from '../../editor/check-definition';
import { toText } from '../../editor/serialize';
import { FlowGraph } from '../../graph/FlowGraph';
import { buildGraph } from '../../graph/model';
import { FormatSwitch } from './SourceTab';

const TEMPLATE: Omit<WorkflowDef, 'schemaVersion' | 'restartable' | 'timeoutPolicy' | 'timeoutSeconds'> = {
  name: 'my_workflow',
  description: 'What this workflow does',
  version: 1,
  inputParameters: ['orderId'],
  tasks: [{ name: 'first_task', taskReferenceName: 'first', type: 'SIMPLE', inputParameters: { orderId: '${workflow.input.orderId}' } }],
};

/**
 * The editor: JSON or YAML, checked on every edit by @baton/definitions (the engine's own schemas
 * and semantic checks), each problem marked at its JSON pointer and listed below; the graph
 * follows the last valid text. Saving registers a new version, or overwrites this one.
 */
export default function EditTab({ def, versions }: { def: WorkflowDef | null; versions: number[] }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const abilities = useAbilities();
  const taskDefs = useTaskDefs();
  const [format, setFormat] = useState<Format>('json');
  const [text, setText] = useState(() => toText(def ?? TEMPLATE, 'json'));
  const [serverFindings, setServerFindings] = useState<Finding[]>([]);
  const [confirmOverwrite, setConfirmOverwrite] = useState(false);
  const view = useRef<EditorView | null>(null);
  const deferred = useDeferredValue(text);
  const known = useMemo(() => (taskDefs.data ? new Set(taskDefs.data.map((t) => t.name)) : undefined), [taskDefs.data]);
  const checked = useMemo(() => checkWorkflowText(deferred, format, known), [deferred, format, known]);
  const [lastGood, setLastGood] = useState<WorkflowDef | null>(def);
  useEffect(() => {
    if (checked.value) setLastGood(checked.value);
  }, [checked.value]);
  const graph = useMemo(() => (lastGood ? buildGraph(lastGood) : null), [lastGood]);
  const findings = useMemo(() => [...checked.findings, ...serverFindings], [checked.findings, serverFindings]);
  const errors = checked.findings.filter((f) => f.severity === 'error');
  const nextVersion = Math.max(0, ...versions) + 1;

  const save = useMutation({
    mutationFn: ({ value, overwrite }: { value: WorkflowDef; overwrite: boolean }) => saveWorkflowDef(value, overwrite),
    onSuccess: (_r, { value, overwrite }) => {
      announce(overwrite ? `${value.name} v${value.version} saved` : `${value.name} v${value.version} registered`);
      setServerFindings([]);
      void qc.invalidateQueries({ queryKey: ['workflow-defs'] });
      void qc.invalidateQueries({ queryKey: ['workflow-def', value.name] });
      void navigate(`/workflowDef/${encodeURIComponent(value.name)}/${value.version}`);
    },
    onError: (err) => {
      // The engine's own problems (its limits, a clash) marked in the text too.
      if (err instanceof ApiError) setServerFindings(err.problems.map((p) => place(text, p.pointer, `engine: ${p.message}`, 'error')));
    },
  });

  const switchFormat = (f: Format) => {
    if (f === format) return;
    // Carry the content over when it parses; otherwise keep the text as typed (the user fixes it first).
    if (checked.value) setText(toText(checked.value, f));
    setFormat(f);
  };
  const register = (overwrite: boolean) => {
    if (!checked.value) return;
    const value = def && !overwrite ? { ...checked.value, version: Math.max(nextVersion, checked.value.version) } : checked.value;
    save.mutate({ value, overwrite });
  };

  return (
    <div className="edit-tab">
      <div className="filters-row">
        <FormatSwitch value={format} onChange={switchFormat} />
        <span className={`validity ${errors.length ? 'bad' : 'good'}`} role="status" aria-live="polite" data-testid="validity">
          {errors.length ? `${errors.length} problem${errors.length === 1 ? '' : 's'}` : 'Valid'}
          {checked.findings.length > errors.length
            ? `, ${checked.findings.length - errors.length} warning${checked.findings.length - errors.length === 1 ? '' : 's'}`
            : ''}
        </span>
        <span className="spacer" />
        {abilities.editDefinitions ? (
          <>
            <button type="button" className="primary" disabled={!checked.value || save.isPending} onClick={() => register(false)}>
              {def ? `Register as v${Math.max(nextVersion, checked.value?.version ?? 0)}` : 'Register'}
            </button>
            {def && (
              <button type="button" disabled={!checked.value || save.isPending} onClick={() => setConfirmOverwrite(true)}>
                Save over v{checked.value?.version ?? def.version}…
              </button>
            )}
          </>
        ) : (
          <span className="muted">Your role may read definitions but not change them.</span>
        )}
      </div>
      <ActionError error={save.error} />
      <div className="editor-grid">
        <div>
          <CodeEditor
            value={text}
            format={format}
            onChange={setText}
            findings={findings}
            label={`Definition in ${format.toUpperCase()}`}
            viewRef={view}
          />
          <Problems findings={findings} onJump={(f) => jumpTo(view.current, f)} />
        </div>
        <div className="editor-graph">
          <h2 className="small-heading">Preview{checked.value ? '' : ' (last valid text)'}</h2>
          {graph ? (
            <FlowGraph graph={graph} label="Graph of the edited definition" />
          ) : (
            <p className="muted">The graph appears once the text is valid.</p>
          )}
        </div>
      </div>
      <Dialog title="Overwrite this version?" open={confirmOverwrite} onClose={() => setConfirmOverwrite(false)}>
        <p>
          Runs already started keep the definition they started with; new runs of v{checked.value?.version} will use this text. Registering
          a new version instead keeps the old one for comparison.
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setConfirmOverwrite(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              setConfirmOverwrite(false);
              register(true);
            }}
          >
            Overwrite
          </button>
        </div>
      </Dialog>
    </div>
  );
}

function Problems({ findings, onJump }: { findings: Finding[]; onJump: (f: Finding) => void }) {
  if (!findings.length) return null;
  return (
    <ul className="problems" aria-label="Problems" data-testid="problems">
      {findings.map((f, i) => (
        <li key={`${f.pointer}:${f.message}:${i}`} className={f.severity}>
          <button type="button" className="link-button" onClick={() => onJump(f)}>
            <code>{f.pointer || '/'}</code>
          </button>{' '}
          <span className="sev">{f.severity}</span> {f.message}
        </li>
      ))}
    </ul>
  );
}
