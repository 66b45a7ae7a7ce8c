import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { focusableScroller } from './CodeEditor';
import { editorTheme, languageOf } from './codemirror-setup';

/** Two texts side by side with their differences marked (CodeMirror's merge view), read only. */
export function DiffView({
  left,
  right,
  format,
  leftLabel,
  rightLabel,
}: {
  left: string;
  right: string;
  format: 'json' | 'yaml';
  leftLabel: string;
  rightLabel: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const ext = (label: string) => [
      basicSetup,
      editorTheme,
      languageOf(format),
      EditorState.readOnly.of(true),
      EditorView.contentAttributes.of({ 'aria-label': label }),
    ];
    const mv = new MergeView({
      parent: host.current,
      a: { doc: left, extensions: ext(leftLabel) },
      b: { doc: right, extensions: ext(rightLabel) },
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    });
    focusableScroller(mv.a, leftLabel);
    focusableScroller(mv.b, rightLabel);
    return () => mv.destroy();
  }, [left, right, format, leftLabel, rightLabel]);
  return (
    <div
      ref={host}
      className="diff-view"
      data-testid="diff-view"
      role="region"
      aria-label={`${leftLabel} against ${rightLabel}`}
      tabIndex={0}
    />
  );
}
