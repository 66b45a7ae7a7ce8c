import { json } from '@codemirror/lang-json';
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import type { Extension } from '@codemirror/state';

/** Colours from the page's CSS variables, so the editor follows light and dark mode with it. */
export const editorTheme: Extension = [
  EditorView.theme({
    '&': {
      color: 'var(--fg)',
      backgroundColor: 'var(--bg-input)',
      fontSize: '13px',
      border: '1px solid var(--border)',
      borderRadius: '6px',
    },
    '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '1px' },
    '.cm-content': { caretColor: 'var(--fg)', fontFamily: 'var(--mono)' },
    '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
    '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
    '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
    '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
    '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection)' },
    '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
    '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--fg)' },
    '.cm-changedLine': { backgroundColor: 'var(--diff-changed)' },
    '.cm-changedText': { background: 'var(--diff-changed-text)' },
    '.cm-deletedChunk': { backgroundColor: 'var(--diff-deleted)' },
  }),
  syntaxHighlighting(
    HighlightStyle.define([
      { tag: tags.string, color: 'var(--syn-string)' },
      { tag: [tags.number, tags.bool, tags.null], color: 'var(--syn-literal)' },
      { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--syn-key)' },
      { tag: tags.comment, color: 'var(--muted)', fontStyle: 'italic' },
      { tag: [tags.punctuation, tags.separator, tags.brace, tags.squareBracket], color: 'var(--muted)' },
    ]),
  ),
];

export const languageOf = (format: 'json' | 'yaml'): Extension => (format === 'json' ? json() : yaml());
