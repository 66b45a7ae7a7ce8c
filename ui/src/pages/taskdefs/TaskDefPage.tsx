import { validateTaskDef } from '@baton/definitions';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { saveTaskDef } from '../../api/actions';
import { useAbilities } from '../../api/auth';
import { useTaskDef, useTaskDefChanges, useWorkflowDefs } from '../../api/queries';
import type { TaskDef, WorkflowDef, WorkflowTask } from '../../api/types';
import { announce } from '../../components/Announcer';
import { PageHeader } from '../../components/PageHeader';
import { ActionError, ErrorState, Loading } from '../../components/States';
import { changedFields, formatValue as fmt, takesEffect } from '../../lib/policy';
import { History } from './History';
import { PolicyForm, type Draft, draftOf, candidateOf } from './PolicyForm';
import { PolicyPreview } from './PolicyPreview';

/**
 * /taskDef/{name}: the policy editor. Retries, timeouts and limits as a form, checked as you type
 * with the engine's own validator; what the retry schedule becomes; what changes and when it
 * reaches running workflows; and who changed what before. /taskDef alone: a new task definition.
 */
export default function TaskDefPage() {
  const { name } = useParams();
  const existing = useTaskDef(name ?? '', !!name);
  if (name && existing.isPending) return <Loading what={`task definition ${name}`} />;
  if (name && existing.isError)
    return <ErrorState what={`task definition ${name}`} error={existing.error} onRetry={() => void existing.refetch()} />;
  return <Editor key={name ?? '(new)'} saved={name ? (existing.data ?? null) : null} />;
}

function Editor({ saved }: { saved: TaskDef | null }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const abilities = useAbilities();
  const [draft, setDraft] = useState<Draft>(() => draftOf(saved ?? { name: '' }));
  useEffect(() => {
    // A save (or another operator's change, on refetch) becomes the new starting point.
    if (saved) setDraft(draftOf(saved));
  }, [saved]);
  const candidate = useMemo(() => candidateOf(draft), [draft]);
  const validation = useMemo(() => validateTaskDef(candidate), [candidate]);
  const problems = validation.ok ? [] : validation.problems;
  const changes = useMemo(
    () =>
      validation.ok
        ? changedFields(saved as unknown as Record<string, unknown>, validation.value as unknown as Record<string, unknown>)
        : [],
    [saved, validation],
  );
  const save = useMutation({
    mutationFn: (def: TaskDef) => saveTaskDef(def),
    onSuccess: (def) => {
      const summary = changes
        .slice(0, 3)
        .map((c) => `${c.field} ${fmt(c.before)} → ${fmt(c.after)}`)
        .join('; ');
      announce(saved ? `Saved ${def.name}: ${summary}${changes.length > 3 ? '…' : ''}` : `Created ${def.name}`);
      void qc.invalidateQueries({ queryKey: ['task-defs'] });
      void qc.invalidateQueries({ queryKey: ['task-def', def.name] });
      void qc.invalidateQueries({ queryKey: ['task-def-changes', def.name] });
      if (!saved) void navigate(`/taskDef/${encodeURIComponent(def.name)}`);
    },
  });
  const dirty = useMemo(() => !saved || JSON.stringify(candidate) !== JSON.stringify(candidateOf(draftOf(saved))), [saved, candidate]);
  const canSave = abilities.editDefinitions && validation.ok && (changes.length > 0 || !saved) && !save.isPending;

  return (
    <>
      <PageHeader
        title={saved ? saved.name : 'New task definition'}
        sub={saved ? (saved.description ?? 'Policy of this task type') : 'Name a task type and set its policy; workers poll by this name.'}
      >
        {saved && (
          <>
            <Link to={`/taskQueue/${encodeURIComponent(saved.name)}`} className="button-link">
              Queue
            </Link>
            <Link to={`/poisonTasks?taskType=${encodeURIComponent(saved.name)}`} className="button-link">
              Poison tasks
            </Link>
          </>
        )}
      </PageHeader>
      {!abilities.editDefinitions && <p className="notice">Your role may read policies but not change them.</p>}
      <div className="policy-layout">
        <form
          className="policy-form"
          aria-label="Policy"
          onSubmit={(e) => {
            e.preventDefault();
            if (canSave && validation.ok) save.mutate(validation.value);
          }}
        >
          <PolicyForm draft={draft} onChange={setDraft} problems={problems} isNew={!saved} readOnly={!abilities.editDefinitions} />
          <div className="pending" aria-live="polite" data-testid="pending-changes">
            {saved && changes.length > 0 && (
              <>
                <h2 className="small-heading">
                  {changes.length} unsaved change{changes.length === 1 ? '' : 's'}
                </h2>
                <ul>
                  {changes.map((c) => (
                    <li key={c.field}>
                      <code>{c.field}</code> {fmt(c.before)} → <strong>{fmt(c.after)}</strong>
                      {takesEffect[c.field as keyof TaskDef] && (
                        <span className="muted"> — takes effect {takesEffect[c.field as keyof TaskDef]}</span>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {problems.length > 0 && (
              <p className="field-error">
                {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before saving.
              </p>
            )}
          </div>
          <ActionError error={save.error} />
          <div className="dialog-actions">
            {saved && (
              <button type="button" disabled={!dirty} onClick={() => setDraft(draftOf(saved))}>
                Discard changes
              </button>
            )}
            <button type="submit" className="primary" disabled={!canSave}>
              {save.isPending ? 'Saving…' : saved ? `Save ${changes.length || ''} change${changes.length === 1 ? '' : 's'}` : 'Create'}
            </button>
          </div>
        </form>
        <div className="policy-side">
          {validation.ok ? <PolicyPreview def={validation.value} /> : <p className="muted">The preview follows once the form is valid.</p>}
          {saved && <UsedBy name={saved.name} />}
        </div>
      </div>
      {saved && <ChangeHistory name={saved.name} onRestore={(def) => setDraft(draftOf(def))} canRestore={abilities.editDefinitions} />}
    </>
  );
}

function ChangeHistory({ name, onRestore, canRestore }: { name: string; onRestore: (d: TaskDef) => void; canRestore: boolean }) {
  const changes = useTaskDefChanges(name);
  return (
    <section className="history" aria-labelledby="history-h">
      <h2 id="history-h">Change history</h2>
      {changes.isPending ? (
        <Loading what="the change history" />
      ) : changes.isError ? (
        <ErrorState what="the change history" error={changes.error} onRetry={() => void changes.refetch()} />
      ) : (
        <History changes={changes.data} onRestore={canRestore ? onRestore : undefined} />
      )}
    </section>
  );
}

/** Workflows (latest versions) with a worker step of this type. */
function UsedBy({ name }: { name: string }) {
  const defs = useWorkflowDefs();
  const users = useMemo(() => {
    const latest = new Map<string, WorkflowDef>();
    for (const d of defs.data ?? []) if ((latest.get(d.name)?.version ?? 0) < d.version) latest.set(d.name, d);
    return [...latest.values()]
      .filter((d) => usesTask(d.tasks, name))
      .map((d) => d.name)
      .sort();
  }, [defs.data, name]);
  return (
    <section className="used-by" aria-labelledby="used-by-h">
      <h2 id="used-by-h" className="small-heading">
        Used by
      </h2>
      {defs.isPending ? (
        <p className="muted">…</p>
      ) : users.length === 0 ? (
        <p className="muted">No workflow definition names this task yet.</p>
      ) : (
        <ul>
          {users.map((u) => (
            <li key={u}>
              <Link to={`/workflowDef/${encodeURIComponent(u)}`}>{u}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function usesTask(tasks: readonly WorkflowTask[] | undefined, name: string): boolean {
  return (tasks ?? []).some(
    (t) =>
      ((t.type ?? 'SIMPLE') === 'SIMPLE' && t.name === name) ||
      Object.values(t.decisionCases ?? {}).some((c) => usesTask(c, name)) ||
      usesTask(t.defaultCase, name) ||
      (t.forkTasks ?? []).some((b) => usesTask(b, name)) ||
      usesTask(t.loopOver, name),
  );
}
