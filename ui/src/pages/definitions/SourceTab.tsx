import { useMemo, useState } from 'react';
import type { WorkflowDef } from '../../api/types';
import { CopyButton } from '../../components/CopyButton';
import { CodeEditor } from '../../editor/CodeEditor';
import type { Format } from '../../editor/check-definition';
import { toText } from '../../editor/serialize';

/** The definition as the engine stores it, in JSON or YAML (both are accepted wherever one is). */
export default function SourceTab({ def }: { def: WorkflowDef }) {
  const [format, setFormat] = useState<Format>('json');
  const text = useMemo(() => toText(def, format), [def, format]);
  return (
    <div className="source-tab">
      <div className="filters-row">
        <FormatSwitch value={format} onChange={setFormat} />
        <CopyButton text={text} label={`Copy ${format.toUpperCase()}`} />
      </div>
      <CodeEditor value={text} format={format} readOnly label={`${def.name} v${def.version} as ${format.toUpperCase()}`} />
    </div>
  );
}

export function FormatSwitch({ value, onChange }: { value: Format; onChange: (f: Format) => void }) {
  return (
    <fieldset className="segmented">
      <legend className="sr-only">Format</legend>
      {(['json', 'yaml'] as const).map((f) => (
        <label key={f} className={value === f ? 'on' : ''}>
          <input type="radio" name="format" value={f} checked={value === f} onChange={() => onChange(f)} />
          {f.toUpperCase()}
        </label>
      ))}
    </fieldset>
  );
}
