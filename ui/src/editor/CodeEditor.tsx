import { setDiagnostics, lintGutter, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { basicSetup } from 'codemirror';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef, type MutableRefObject } from 'react';
import type { Finding } from './check-definition';
import { editorTheme, languageOf } from './codemirror-setup';

export interface CodeEditorProps {
  value: string;
  format: 'json' | 'yaml';
  label: string;
  onChange?: (text: string) => void;
  findings?: readonly Finding[];
  readOnly?: boolean;
  minHeight?: string;
  viewRef?: MutableRefObject<EditorView | null>;
}

/**
 * CodeMirror 6 with JSON or YAML highlighting. The findings (check-definition.ts) are shown as
 * diagnostics at their positions: underlined, in the gutter, and on hover.
 */
export function CodeEditor(p: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const editable = useRef(new Compartment());
  const attributes = useRef(new Compartment());
  const onChange = useRef(p.onChange);
  onChange.current = p.onChange;

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: p.value,
        extensions: [
          basicSetup,
          lintGutter(),
          editorTheme,
          language.current.of(languageOf(p.format)),
          editable.current.of(EditorState.readOnly.of(!!p.readOnly)),
          attributes.current.of(EditorView.contentAttributes.of({ 'aria-label': p.label })),
          EditorView.theme({ '.cm-scroller': { minHeight: p.minHeight ?? '420px' } }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current?.(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    if (p.viewRef) p.viewRef.current = v;
    focusableScroller(v, p.label);
    return () => {
      v.destroy();
      view.current = null;
    };
    // Created once; later prop changes are dispatched below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== p.value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: p.value } });
  }, [p.value]);
  useEffect(() => {
    view.current?.dispatch({ effects: language.current.reconfigure(languageOf(p.format)) });
  }, [p.format]);
  // Read-only text stays focusable (EditorState.readOnly, not EditorView.editable), so it can be
  // reached, scrolled and selected with the keyboard.
  useEffect(() => {
    view.current?.dispatch({ effects: editable.current.reconfigure(EditorState.readOnly.of(!!p.readOnly)) });
  }, [p.readOnly]);
  useEffect(() => {
    view.current?.dispatch({ effects: attributes.current.reconfigure(EditorView.contentAttributes.of({ 'aria-label': p.label })) });
  }, [p.label]);
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    const diagnostics: Diagnostic[] = (p.findings ?? []).map((f) => ({
      from: Math.min(f.from, len),
      to: Math.min(Math.max(f.to, f.from), len),
      severity: f.severity,
      message: `${f.pointer || '/'}: ${f.message}`,
    }));
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [p.findings]);

  return <div ref={host} className="code-editor" data-testid="code-editor" />;
}

/**
 * The scrolling box of an editor is a tab stop of its own (axe: scrollable regions must be
 * reachable by keyboard), so a long read-only text can be scrolled without a mouse.
 */
export function focusableScroller(v: EditorView, label: string): void {
  v.scrollDOM.tabIndex = 0;
  v.scrollDOM.setAttribute('aria-label', `${label} (scroll)`);
}

/** Moves the cursor to a finding and shows it. */
export function jumpTo(view: EditorView | null, f: Finding): void {
  if (!view) return;
  view.dispatch({ selection: { anchor: f.from, head: f.to }, effects: EditorView.scrollIntoView(f.from, { y: 'center' }) });
  view.focus();
}
