import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../../api/client';
import type { WorkflowDef } from '../../api/types';
import { ErrorState, Loading } from '../../components/States';
import type { Format } from '../../editor/check-definition';
import { DiffView } from '../../editor/DiffView';
import { toText } from '../../editor/serialize';
import { FormatSwitch } from './SourceTab';

/** Two versions side by side, unchanged stretches folded. Defaults: the previous version against this one. */
export default function DiffTab({ name, version, versions }: { name: string; version: number; versions: number[] }) {
  const older = versions.find((v) => v < version) ?? versions.find((v) => v !== version) ?? version;
  const [left, setLeft] = useState(older);
  const [right, setRight] = useState(version);
  const [format, setFormat] = useState<Format>('yaml');
  const [a, b] = useQueries({
    queries: [left, right].map((v) => ({
      queryKey: ['workflow-def', name, v],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        request<WorkflowDef>(`/api/metadata/workflow/${encodeURIComponent(name)}`, { query: { version: v }, signal }),
    })),
  });
  if (versions.length < 2) return <p className="muted">{name} has one version only: register another to compare them.</p>;
  const pick = (label: string, value: number, set: (v: number) => void) => (
    <label className="field inline">
      {label}
      <select value={value} onChange={(e) => set(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div>
      <div className="filters-row">
        {pick('Left', left, setLeft)}
        {pick('Right', right, setRight)}
        <FormatSwitch value={format} onChange={setFormat} />
      </div>
      {a?.isPending || b?.isPending ? (
        <Loading what="both versions" />
      ) : a?.isError || b?.isError ? (
        <ErrorState what="a version" error={a?.error ?? b?.error} />
      ) : (
        <DiffView
          left={toText(a?.data, format)}
          right={toText(b?.data, format)}
          format={format}
          leftLabel={`${name} v${left}`}
          rightLabel={`${name} v${right}`}
        />
      )}
    </div>
  );
}
